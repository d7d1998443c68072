import type { Observable } from 'rxjs';
import { container as rootContainer } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import { EngineError } from '../errors/errors';
import type { Executor } from '../ports/executor';
import { InProcessExecutor } from '../adapters/in-process.executor';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { MemoryStore } from '../adapters/memory.store';
import type { HistoryQuery, RunStore, RunSummary, StoredRun } from '../ports/run-store';
import type { PipelineEvent } from '../model/events';
import { forkRun } from './operate/fork';
import type { ForkOptions } from './operate/fork';
import { claimRun, newLeaseHolder } from './operate/leases';
import { LiveRuns } from './operate/live-runs';
import { findInterrupted, recoverRuns } from './operate/recover';
import type { RecoverOptions } from './operate/recover';
import { listSchedules, ScheduleTimer } from './operate/schedules';
import type { ScheduleHandle, ScheduleInfo, ScheduleOptions } from './operate/schedules';
import { sendSignal } from './operate/signal';
import { stopRun } from './operate/stop';
import { storedDefinition } from './operate/stored-definition';
import { watchRun } from './operate/watch';
import { resolveRunParams } from './parameters';
import type { RunResult, StepResult } from '../model/results';
import { Run } from './run/run';
import type { RunHandle, RunOptions } from './run-handle';
import type { EngineOptions } from './engine-options';
import { checkRunOptions, definitionOf, newRunId } from './run-inputs';

export type { EngineOptions } from './engine-options';

/** Options of `engine.resume()`. */
export interface ResumeOptions extends Omit<RunOptions, 'params'> {
  /** Resume even if the pipeline's definition changed since the run began. */
  readonly force?: boolean;
}

/** A pipeline to run: a `@Pipeline` class or a definition from `definePipeline(...).build()`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor types must accept any arguments to match every user class
export type PipelineSource = (abstract new (...args: any[]) => unknown) | PipelineDefinition;

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
  private readonly pollMs: number;
  private readonly holder = newLeaseHolder();
  private readonly live: LiveRuns;
  private readonly schedules = new Set<ScheduleTimer>();
  private closed = false;

  constructor(options: EngineOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.executor = options.executor ?? new InProcessExecutor();
    this.container = options.container ?? rootContainer;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.live = new LiveRuns(this.store, this.holder, this.leaseTtlMs, this.pollMs);
  }

  /**
   * Starts a run and returns its handle once the run's record is committed, so the id it hands
   * out can always be resumed. Throws if the pipeline or parameters are invalid, and with
   * `ASYNC_STORE` on a store that commits asynchronously: use `begin()` there.
   */
  start(pipeline: PipelineSource, options: RunOptions = {}): RunHandle {
    this.assertOpen();
    this.assertSynchronous('start runs with `await engine.begin(...)` or `engine.run(...)`');
    return this.launch(definitionOf(pipeline), options, newRunId());
  }

  /** Starts a run on any store; resolves with its handle once the run's record is durable. */
  async begin(pipeline: PipelineSource, options: RunOptions = {}): Promise<RunHandle> {
    this.assertOpen();
    return this.beginAs(definitionOf(pipeline), options, newRunId());
  }

  /** Runs a pipeline to its end; resolves with its result whether it succeeded, failed or was aborted. */
  async run(pipeline: PipelineSource, options: RunOptions = {}): Promise<RunResult> {
    return (await this.begin(pipeline, options)).result;
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
    this.assertSynchronous('use `await engine.resume(runId)`');
    return this.resumeStored(runId, this.store.getRun(runId) as StoredRun | undefined, options);
  }

  /** `startResume(runId)` run to its end; works on every store. */
  async resume(runId: string, options: ResumeOptions = {}): Promise<RunResult> {
    return (await this.beginResume(runId, options)).result;
  }

  /** Runs kept by the store, newest first. */
  async history(query: HistoryQuery = {}): Promise<RunSummary[]> {
    const { limit } = query;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new EngineError('INVALID_OPTION', `History limit must be an integer ≥ 0, got ${String(limit)}.`);
    }
    return this.store.listRuns(query);
  }

  /** One stored run with its steps. Rejects with `RUN_NOT_FOUND`. */
  async inspect(runId: string): Promise<StoredRun> {
    const run = await this.store.getRun(runId);
    if (run === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
    return run;
  }

  /** The live handle of a run this engine drives, or `undefined`. */
  get(runId: string): RunHandle | undefined {
    return this.live.get(runId)?.handle;
  }

  /**
   * A run's events: from its latest `run.started`, what is journaled so far, then live ones;
   * completes after the final `run.*` event. Works for a run driven by another process on the
   * same store (it follows the journal every `pollMs`; errors with `RUN_INTERRUPTED` if that
   * process dies) and for a finished run. Errors with `RUN_NOT_FOUND`.
   */
  watch(runId: string): Observable<PipelineEvent> {
    return watchRun({ store: this.store, live: (id) => this.live.get(id), pollMs: this.pollMs }, runId);
  }

  /** Stored runs left `running` by a driver that is gone (what `recover()` resumes), newest first. */
  async interrupted(): Promise<RunSummary[]> {
    return findInterrupted(this.store, (id) => this.live.get(id) !== undefined);
  }

  /**
   * Resumes every stored run left `running` by a driver that is gone (its lease expired, or its
   * process died on this host) and returns their handles. Their pipelines' modules must be loaded.
   */
  async recover(options: RecoverOptions = {}): Promise<RunHandle[]> {
    this.assertOpen();
    const resume = (id: string, force: boolean): RunHandle | Promise<RunHandle> =>
      this.store.asynchronous === true ? this.beginResume(id, { force }) : this.startResume(id, { force });
    return recoverRuns({ store: this.store, isLive: (id) => this.live.get(id) !== undefined, resume }, options);
  }

  /**
   * Starts a NEW run of a stored run's pipeline: steps not downstream of `from` keep their
   * results, `from` and its descendants run again, with the stored params overridden by `params`.
   */
  fork(runId: string, options: ForkOptions): RunHandle {
    this.assertOpen();
    const launch = (definition: PipelineDefinition, runOptions: RunOptions, steps: Readonly<Record<string, StepResult>>): RunHandle =>
      this.launch(definition, runOptions, newRunId(), { steps, firstStartedAt: Date.now(), copied: true });
    this.assertSynchronous('fork needs a synchronous store for now');
    return forkRun({ launch }, this.store.getRun(runId) as StoredRun | undefined, runId, options);
  }

  /**
   * Stops a run driven by this engine, by another process on the store (through a stop request
   * it picks up within its `pollMs`), or by nobody any more (marked `aborted` here).
   */
  async stopRun(runId: string, reason = 'stopped'): Promise<void> {
    this.assertOpen();
    await stopRun({ store: this.store, holder: this.holder, leaseTtlMs: this.leaseTtlMs, live: (id) => this.live.get(id) }, runId, reason);
  }

  /**
   * Delivers a signal to a run's `ctx.waitFor(name)`, whichever process on the store drives it
   * (kept until a wait consumes it). Rejects with `RUN_NOT_FOUND`, `RUN_FINISHED`, `SIGNAL_NOT_JSON`.
   */
  async signal(runId: string, name: string, payload: unknown = null): Promise<void> {
    this.assertOpen();
    await sendSignal({ store: this.store, live: (id) => this.live.get(id) }, runId, name, payload);
  }

  /**
   * Fires a run of the pipeline at each tick of a cron, exactly once across every engine serving
   * the same schedule on the store. Throws `INVALID_CRON`, or a parameter error, at once.
   */
  schedule(pipeline: PipelineSource, options: ScheduleOptions): ScheduleHandle {
    this.assertOpen();
    const definition = definitionOf(pipeline);
    resolveRunParams(definition, options.params);
    const launch = (runId: string): Promise<RunHandle> => this.beginAs(definition, { ...(options.params ? { params: options.params } : {}) }, runId);
    const timer = new ScheduleTimer({ store: this.store, owner: this.holder.owner, launch, newRunId }, definition, options, (stopped) => this.schedules.delete(stopped));
    this.schedules.add(timer);
    return timer;
  }

  /** The schedules kept in the store, with their next tick and the last one fired. */
  async listSchedules(): Promise<ScheduleInfo[]> {
    return listSchedules(this.store);
  }

  /** Stops schedules and active runs, waits for the runs to end, and releases the store's and executor's resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const schedule of [...this.schedules]) schedule.stop();
    await Promise.all(this.live.handles().map((run) => run.stop('engine closed')));
    this.live.close();
    await this.executor.close();
    await this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError('ENGINE_CLOSED', 'This engine is closed; create a new Engine to run pipelines.');
  }

  /** The synchronous forms (`start`, `startResume`) must not hand out a run before it is recorded. */
  private assertSynchronous(instead: string): void {
    if (this.store.asynchronous === true) throw new EngineError('ASYNC_STORE', `This engine's store commits asynchronously: ${instead}.`);
  }

  /** On an asynchronous durable store, takes the run's lease before the run is built (`true` when it did). */
  private async claimAhead(runId: string): Promise<boolean> {
    if (!this.store.durable || this.store.asynchronous !== true) return false;
    await claimRun(this.store, runId, this.holder, this.leaseTtlMs);
    return true;
  }

  private async beginAs(definition: PipelineDefinition, options: RunOptions, runId: string): Promise<Run> {
    const run = this.launch(definition, options, runId, undefined, await this.claimAhead(runId));
    await run.recorded;
    return run;
  }

  /** `resume` on any store: resolves with the run's handle once its record is durable again. */
  private async beginResume(runId: string, options: ResumeOptions): Promise<Run> {
    this.assertOpen();
    const stored = await this.store.getRun(runId);
    const run = this.resumeStored(runId, stored, options, stored !== undefined && (await this.claimAhead(runId)));
    await run.recorded;
    return run;
  }

  private resumeStored(runId: string, stored: StoredRun | undefined, options: ResumeOptions, claimed = false): Run {
    if (stored === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
    const definition = storedDefinition(stored.run, options.force === true);
    const { force: _force, ...runOptions } = options;
    return this.launch(definition, { ...runOptions, params: stored.run.input }, runId, { steps: stored.steps, firstStartedAt: stored.run.startedAt }, claimed);
  }

  private launch(
    definition: PipelineDefinition,
    options: RunOptions,
    runId: string,
    resumed?: { readonly steps: Readonly<Record<string, StepResult>>; readonly firstStartedAt: number; readonly copied?: boolean },
    claimed = false,
  ): Run {
    checkRunOptions(options, this.store.durable);
    const runParams = resolveRunParams(definition, options.params);
    if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new EngineError('INVALID_OPTION', `Run option concurrency must be an integer ≥ 1, got ${String(options.concurrency)}.`);
    }
    const durable = this.store.durable;
    if (durable && !claimed && claimRun(this.store, runId, this.holder, this.leaseTtlMs) !== undefined) {
      throw new EngineError('ASYNC_STORE', 'This engine\'s store takes leases asynchronously: use `begin()` or `resume()`.', { runId });
    }
    // A lease left behind expires by itself: a failure to release it must not fail anything.
    const release = (): void => {
      if (durable) void Promise.resolve(this.store.releaseLease(runId, this.holder.owner)).catch(() => undefined);
    };
    let run: Run;
    try {
      run = new Run({
        definition,
        options,
        runParams,
        store: this.store,
        executor: this.executor,
        container: this.container,
        runId,
        ...(resumed ? { restored: resumed.steps, firstStartedAt: resumed.firstStartedAt, copyRestored: resumed.copied === true } : {}),
        onEnd: (ended) => {
          this.live.delete(ended.id);
          release();
        },
      });
    } catch (error) {
      release(); // the run could not be recorded (STORE_FAILED): it never started
      throw error;
    }
    this.live.add(run);
    return run;
  }
}
