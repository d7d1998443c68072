import { nanoid } from 'nanoid';
import { container as rootContainer } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import { EngineError } from '../errors/errors';
import type { Executor } from '../executors/executor';
import { InProcessExecutor } from '../executors/in-process.executor';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { scanPipeline } from '../metadata/scanner';
import { MemoryStore } from '../stores/memory.store';
import type { HistoryQuery, RunStore, RunSummary, StoredRun } from '../stores/store';
import { resolveRunParams } from './parameters';
import type { RunResult } from './results';
import { Run } from './run';
import type { RunHandle, RunOptions } from './run-handle';

/** Options of `new Engine(...)`. */
export interface EngineOptions {
  /** Where runs are kept; an in-memory store by default. */
  readonly store?: RunStore;
  /** Where steps run; in this process by default. */
  readonly executor?: Executor;
  /** Each run resolves its pipeline and templates from a child of this container (tsyringe's root by default). */
  readonly container?: DependencyContainer;
}

/** A pipeline to run: a `@Pipeline` class or a definition from `definePipeline(...).build()`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PipelineSource = (abstract new (...args: any[]) => unknown) | PipelineDefinition;

const isDefinition = (source: unknown): source is PipelineDefinition =>
  typeof source === 'object' && source !== null && 'graph' in source && 'name' in source;

/**
 * Runs pipelines inside your process: `await new Engine().run(MyPipeline)`.
 *
 * A pipeline that cannot run at all never starts: `run()` rejects and `start()` throws with a
 * `PipelineDefinitionError` or `ParameterError`.
 */
export class Engine {
  private readonly store: RunStore;
  private readonly executor: Executor;
  private readonly container: DependencyContainer;
  private readonly active = new Set<Run>();
  private closed = false;

  constructor(options: EngineOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.executor = options.executor ?? new InProcessExecutor();
    this.container = options.container ?? rootContainer;
  }

  /** Starts a run and returns its handle at once. Throws if the pipeline or parameters are invalid. */
  start(pipeline: PipelineSource, options: RunOptions = {}): RunHandle {
    if (this.closed) throw new EngineError('ENGINE_CLOSED', 'This engine is closed; create a new Engine to run pipelines.');
    const definition = isDefinition(pipeline) ? pipeline : scanPipeline(pipeline);
    const runParams = resolveRunParams(definition, options.params);
    if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new EngineError('INVALID_OPTION', `Run option concurrency must be an integer ≥ 1, got ${String(options.concurrency)}.`);
    }
    const run = new Run({
      definition,
      options,
      runParams,
      store: this.store,
      executor: this.executor,
      container: this.container.createChildContainer(),
      runId: nanoid(),
      onEnd: (ended) => this.active.delete(ended),
    });
    this.active.add(run);
    return run;
  }

  /** Runs a pipeline to its end; resolves with its result whether it succeeded, failed or was aborted. */
  async run(pipeline: PipelineSource, options: RunOptions = {}): Promise<RunResult> {
    return this.start(pipeline, options).result;
  }

  /** Runs kept by the store, newest first. */
  async history(query: HistoryQuery = {}): Promise<RunSummary[]> {
    return this.store.listRuns(query);
  }

  /** One stored run with its steps. Rejects with `RUN_NOT_FOUND`. */
  async inspect(runId: string): Promise<StoredRun> {
    const run = this.store.getRun(runId);
    if (run === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`);
    return run;
  }

  /** Stops active runs, waits for them to end, and releases the store's and executor's resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.active].map((run) => run.stop('engine closed')));
    await this.executor.close();
    await this.store.close();
  }
}
