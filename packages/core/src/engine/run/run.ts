import type { Observable } from 'rxjs';
import type { PipelineGraph } from '../../graph/pipeline-graph';
import type { StepNode } from '../../graph/step-node';
import { toErrorInfo } from '../error-info';
import type { PipelineEvent } from '../../model/events';
import { fingerprintOf } from '../fingerprint';
import type { RunResult, RunStatus, StepResult } from '../../model/results';
import { isTerminal } from '../../model/results';
import type { RunHandle, RunHandleStatus } from '../run-handle';
import { EventStream } from './event-stream';
import { Journal } from './journal';
import type { RunCore } from './run-core';
import { createRunCore } from './run-core';
import type { RunCoreInput } from './run-core';
import { RunHost } from './run-host';
import { RunControl } from './run-control';
import { runOutcome } from './run-outcome';
import { Scheduler } from './scheduler';
import { Slots } from './slots';
import { SlotLender } from './slot-lender';
import { Spawner } from './spawn';
import { StepLifecycle } from './step-lifecycle';
import type { StepState } from './step-state';
import { StepStatusWriter } from './step-status';
import { addState, addStaticStates, childrenOf, restoreStates } from './states';
import { Waits } from './waits';

/** What a run needs from its engine: what its core is made of, and how it began. */
export interface RunDeps extends RunCoreInput {
  /** Called once when the run has ended. */
  readonly onEnd?: (run: Run) => void;
  /** For `resume()`: results of steps that are kept from the interrupted run. */
  readonly restored?: Readonly<Record<string, StepResult>>;
  /** For `fork()`: the restored steps come from another run, and are saved under this one with its record. */
  readonly copyRestored?: boolean;
  /** For `resume()`: when the run first began; its record keeps that start (and its place in history). */
  readonly firstStartedAt?: number;
}

/**
 * One run of a pipeline: composes the run's units and is its handle.
 *
 * Its record and `run.started` are committed before the constructor returns (for a synchronous
 * store), so the id `start()` hands out always names a resumable run. Everything after flows from
 * the journal's committed batches: events are published, steps started and waiters woken only
 * once the change they rest on is durable (see `Journal`).
 */
export class Run implements RunHandle {
  readonly id: string;
  readonly events$: Observable<PipelineEvent>;
  readonly result: Promise<RunResult>;
  /** Resolves once the run's record is durable (at once for a synchronous store). */
  readonly recorded: Promise<void>;

  private readonly core: RunCore;
  private readonly events = new EventStream<PipelineEvent>();
  private readonly control: RunControl;
  private readonly scheduler: Scheduler;
  private readonly lifecycle: StepLifecycle;
  private readonly writer: StepStatusWriter;
  private readonly lender: SlotLender;
  /** Durable waits, made when a step first waits (a `Set`, a `Map` and a promise most runs never use). */
  private waitsUnit: Waits | undefined;
  private endStatus: RunStatus | undefined;
  private startedAt = Date.now();
  private resolveResult!: (result: RunResult) => void;
  private publishedCount = 0;
  /** `result` is settled: set once the run's end is committed (or could not be). */
  private settled = false;

  constructor(private readonly deps: RunDeps) {
    this.id = deps.runId;
    const journal = new Journal(deps.store, { publish: (event) => this.publish(event), commitFailed: (error) => this.storeFailed(error) }, deps.runId);
    const host = new RunHost(deps.runId, deps.store);
    const core = (this.core = createRunCore(deps, journal, host));
    const status = (this.writer = new StepStatusWriter(core, (state) => this.scheduler.stepEnded(state)));
    this.control = new RunControl(core, status, () => this.end());
    this.scheduler = new Scheduler(core, status, this.control);
    const slots = new Slots(deps.options.concurrency ?? deps.definition.concurrency ?? Infinity);
    const lender = (this.lender = new SlotLender(slots));
    const spawner = new Spawner(core, lender, this.scheduler, (node: StepNode) => addState(core.states, node), (definition, runParams, store, runId, signal) =>
      new Run({ definition, options: { signal }, runParams, store, executor: deps.executor, container: core.container, runId }),
    );
    host.attach({ core, status, spawner, waits: () => (this.waitsUnit ??= new Waits(this.core, this.writer, this.lender)) });
    this.lifecycle = new StepLifecycle(core, status, slots, spawner);
    addStaticStates(core);
    const kept = deps.restored ? restoreStates(core, deps.restored) : [];
    core.ended += kept.length;

    this.events$ = this.events.observable;
    this.result = new Promise((resolve) => (this.resolveResult = resolve));
    this.record(deps.copyRestored === true ? kept : []);
    // Committed now; released (published, begun) on a microtask, so a subscriber of the same tick sees `run.started`.
    this.recorded = Promise.resolve(journal.commitNow());
    // Whoever starts the run awaits `recorded`; a nested run's nobody does, and its failure ends the run anyway.
    this.recorded.catch(() => undefined);
    journal.afterCommit(() => this.begin());
  }

  /** Events published on `events$` so far (what `watch` replays of a live run). */
  get published(): number {
    return this.publishedCount;
  }

  get status(): RunHandleStatus {
    if (this.endStatus !== undefined) return this.endStatus;
    return this.core.phase === 'pending' ? 'pending' : 'running';
  }

  get graph(): PipelineGraph {
    return this.core.graph;
  }

  running(): string[] {
    const names: string[] = [];
    for (const state of this.core.states.values()) {
      if (state.result.status === 'running' || state.result.status === 'retrying') names.push(state.name);
    }
    return names;
  }

  /** Whether a step waits for a signal now (the engine polls the store for it then). */
  get waitingForSignals(): boolean {
    return this.waitsUnit?.waitingForSignals ?? false;
  }

  /** A signal was recorded for this run: let its waiting steps look for it. */
  wakeSignals(): void {
    this.waitsUnit?.wake();
  }

  stop(reason = 'stopped'): Promise<RunResult> {
    this.control.interrupt('RUN_STOPPED', `Run stopped: ${reason}`);
    return this.result;
  }

  private publish(event: PipelineEvent): void {
    this.publishedCount++;
    this.events.next(event);
  }

  /** The run's record, the steps it copies from another run (a fork) and `run.started`, staged for the first commit. */
  private record(copied: readonly StepState[]): void {
    const { core, deps } = this;
    const { definition } = deps;
    core.store.beginRun({
      runId: this.id,
      pipeline: definition.name,
      version: definition.version,
      params: core.pipelineInfo.params,
      input: deps.options.params ?? {},
      fingerprint: core.store.durable ? fingerprintOf(definition) : {},
      status: 'running',
      startedAt: deps.firstStartedAt ?? this.startedAt,
      endedAt: undefined,
      error: undefined,
    });
    for (const state of copied) {
      state.saved = true;
      core.store.saveStep(this.id, state.name, state.result);
    }
    core.journal.append({ type: 'run.started', runId: this.id, at: this.startedAt, pipeline: definition.name, version: definition.version, params: core.pipelineInfo.params });
  }

  /** After the record is committed: build the pipeline instance, arm the limits, start the roots. */
  private begin(): void {
    const { core, control } = this;
    if (core.phase === 'ended') return; // the store failed before the run began
    core.journal.publishOnAppend();
    const stoppedEarly = core.phase === 'stopping';
    if (!stoppedEarly) core.phase = 'running';
    try {
      if (core.definition.target !== undefined && !stoppedEarly) core.instance = core.container.resolve(core.definition.target);
    } catch (error) {
      // The pipeline class could not be constructed (a missing service): no step can run.
      core.runError = toErrorInfo(error);
      core.phase = 'failing';
      control.skipNotStarted(`the pipeline could not be constructed: ${core.runError.message}`);
      return control.maybeEnd();
    }
    if (stoppedEarly) {
      control.skipNotStarted(core.runError?.message ?? 'stopped');
      return control.maybeEnd();
    }
    if (!control.armLimits()) return;
    this.scheduler.begin((state) => void this.lifecycle.run(state));
    for (const state of core.states.values()) {
      // Skipped by a callback in the run being resumed: its descendants stay skipped.
      if (state.result.status === 'skipped') this.writer.skipDescendants(childrenOf(core, state).map((child) => core.stateAt[child] as StepState), state.name);
    }
    // A snapshot: a root that spawns synchronously adds states, which must not be started twice.
    const roots: StepState[] = [];
    for (const state of core.states.values()) if (state.waitingParents === 0 && !isTerminal(state.result.status)) roots.push(state);
    this.scheduler.startAfterCommit(roots);
    control.maybeEnd();
  }

  /** A commit failed. If it was the one of the run's end, the run ends again: failed, its record left `running`. */
  private storeFailed(error: unknown): void {
    if (this.core.phase === 'ended' && !this.settled) this.core.phase = 'stopping';
    this.control.storeFailed(error);
  }

  /** Every step has ended: record the run's end, publish it, then settle `result`. */
  private end(): void {
    const { core } = this;
    core.phase = 'ended';
    const { status, result, event } = runOutcome(core, this.startedAt);
    this.endStatus = status;
    this.control.disarmLimits();
    this.scheduler.end();
    const settle = (): void => {
      this.settled = true;
      this.events.complete();
      core.journal.complete();
      this.deps.onEnd?.(this);
      this.resolveResult(result);
    };
    if (core.journal.broken) {
      // Nothing more can be committed: say how the run ended, and leave its record `running` for `resume`.
      this.publish(event);
      return settle();
    }
    core.store.endRun(this.id, status, event.at, core.runError);
    core.journal.append(event);
    core.journal.afterCommit(settle);
  }
}
