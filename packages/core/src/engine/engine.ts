import { hostname } from 'node:os';
import { newId } from './ids';
import { container as rootContainer } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import { registry } from '../decorators/registry';
import { EngineError } from '../errors/errors';
import type { Executor } from '../executors/executor';
import { InProcessExecutor } from '../executors/in-process.executor';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { scanPipeline } from '../metadata/scanner';
import { MemoryStore } from '../stores/memory.store';
import type { HistoryQuery, RunStore, RunSummary, StoredRun } from '../stores/store';
import { diffFingerprints } from './definition-diff';
import { fingerprintOf } from './fingerprint';
import { resolveRunParams } from './parameters';
import type { RunResult, StepResult } from './results';
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
  /**
   * With a durable store, how long this engine's claim on a run lasts without renewal
   * (renewed every third of it while the run is alive). A run whose process died can be
   * resumed elsewhere once its lease has expired. Default 30 000 ms.
   */
  readonly leaseTtlMs?: number;
}

/** Options of `engine.resume()`. */
export interface ResumeOptions extends Omit<RunOptions, 'params'> {
  /** Resume even if the pipeline's definition changed since the run began. */
  readonly force?: boolean;
}

/** A pipeline to run: a `@Pipeline` class or a definition from `definePipeline(...).build()`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PipelineSource = (abstract new (...args: any[]) => unknown) | PipelineDefinition;

/** Run ids: 21 alphanumeric characters (≈125 bits), see {@link newId}. */
const newRunId = (): string => newId(21);

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
  private readonly leaseTtlMs: number;
  private readonly owner = `${hostname()}:${process.pid}:${newId(8)}`;
  private readonly active = new Set<Run>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: EngineOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.executor = options.executor ?? new InProcessExecutor();
    this.container = options.container ?? rootContainer;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
  }

  /** Starts a run and returns its handle at once. Throws if the pipeline or parameters are invalid. */
  start(pipeline: PipelineSource, options: RunOptions = {}): RunHandle {
    this.assertOpen();
    const definition = isDefinition(pipeline) ? pipeline : scanPipeline(pipeline);
    return this.launch(definition, options, newRunId());
  }

  /** Runs a pipeline to its end; resolves with its result whether it succeeded, failed or was aborted. */
  async run(pipeline: PipelineSource, options: RunOptions = {}): Promise<RunResult> {
    return this.start(pipeline, options).result;
  }

  /**
   * Continues a stored run under the same `runId`: succeeded and cached steps (and steps a
   * callback skipped) are kept with their outputs; every other step runs again, so a step
   * interrupted mid-flight runs at least once more. The pipeline class is found in the
   * registry by the run's pipeline name and version, so its module must be loaded.
   *
   * Throws `EngineError`: `RUN_NOT_FOUND`, `PIPELINE_NOT_FOUND`, `DEFINITION_CHANGED` (with
   * `details`; pass `force: true` to resume anyway) or `RUN_LOCKED` (another live engine drives it).
   */
  startResume(runId: string, options: ResumeOptions = {}): RunHandle {
    this.assertOpen();
    const stored = this.store.getRun(runId);
    if (stored === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
    const { pipeline, version, fingerprint, input } = stored.run;
    const target = registry.find('pipeline', pipeline, version);
    if (target === undefined) {
      throw new EngineError(
        'PIPELINE_NOT_FOUND',
        `Run '${runId}' belongs to pipeline '${pipeline}' version ${version}, which is not loaded: import the module that declares it before resuming.`,
        { runId },
      );
    }
    const definition = scanPipeline(target);
    const differences = diffFingerprints(fingerprint, fingerprintOf(definition));
    if (differences.length > 0 && options.force !== true) {
      throw new EngineError(
        'DEFINITION_CHANGED',
        `Pipeline '${pipeline}' changed since run '${runId}' began (${differences.join('; ')}). Resume with { force: true } to continue anyway.`,
        { runId, details: differences },
      );
    }
    const { force: _force, ...runOptions } = options;
    return this.launch(definition, { ...runOptions, params: input }, runId, { steps: stored.steps, firstStartedAt: stored.run.startedAt });
  }

  /** `startResume(runId)` run to its end. */
  async resume(runId: string, options: ResumeOptions = {}): Promise<RunResult> {
    return this.startResume(runId, options).result;
  }

  /** Runs kept by the store, newest first. */
  async history(query: HistoryQuery = {}): Promise<RunSummary[]> {
    return this.store.listRuns(query);
  }

  /** One stored run with its steps. Rejects with `RUN_NOT_FOUND`. */
  async inspect(runId: string): Promise<StoredRun> {
    const run = this.store.getRun(runId);
    if (run === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
    return run;
  }

  /** Stops active runs, waits for them to end, and releases the store's and executor's resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.active].map((run) => run.stop('engine closed')));
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.executor.close();
    await this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError('ENGINE_CLOSED', 'This engine is closed; create a new Engine to run pipelines.');
  }

  private launch(
    definition: PipelineDefinition,
    options: RunOptions,
    runId: string,
    resumed?: { readonly steps: Readonly<Record<string, StepResult>>; readonly firstStartedAt: number },
  ): Run {
    const runParams = resolveRunParams(definition, options.params);
    if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new EngineError('INVALID_OPTION', `Run option concurrency must be an integer ≥ 1, got ${String(options.concurrency)}.`);
    }
    const durable = this.store.durable;
    if (durable && !this.store.acquireLease(runId, this.owner, this.leaseTtlMs)) {
      throw new EngineError('RUN_LOCKED', `Run '${runId}' is being driven by another engine; its lease expires if that engine dies.`, { runId });
    }
    const run = new Run({
      definition,
      options,
      runParams,
      store: this.store,
      executor: this.executor,
      container: this.container.createChildContainer(),
      runId,
      ...(resumed ? { restored: resumed.steps, firstStartedAt: resumed.firstStartedAt } : {}),
      onEnd: (ended) => {
        this.active.delete(ended);
        if (durable) this.store.releaseLease(ended.id, this.owner);
      },
    });
    this.active.add(run);
    if (durable) this.renewLeases();
    return run;
  }

  /** One timer for all of this engine's leases, renewed while their runs are alive. */
  private renewLeases(): void {
    if (this.leaseTimer) return;
    this.leaseTimer = setInterval(() => {
      for (const run of this.active) this.store.acquireLease(run.id, this.owner, this.leaseTtlMs);
      if (this.active.size === 0 && this.leaseTimer) {
        clearInterval(this.leaseTimer);
        this.leaseTimer = undefined;
      }
    }, Math.max(10, Math.floor(this.leaseTtlMs / 3)));
    this.leaseTimer.unref();
  }
}
