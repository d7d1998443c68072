import pRetry from 'p-retry';
import { Subject } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { DependencyContainer } from 'tsyringe';
import type { Constructor, Params, PreExecuteResult } from '../decorators/options';
import { PipelineDefinitionError, StepError } from '../errors/errors';
import type { StepErrorCode } from '../errors/errors';
import type { Executor, StepChannel, StepRequest } from '../executors/executor';
import { createStepContext } from '../executors/in-process.executor';
import type { PipelineGraph } from '../graph/pipeline-graph';
import { isPlainObject } from '../graph/reference';
import type { StepNode } from '../graph/step-node';
import type { PipelineDefinition, StepHook } from '../metadata/pipeline-definition';
import { scanPipeline } from '../metadata/scanner';
import { templateRef } from '../metadata/step-factory';
import type { RunStore } from '../stores/store';
import { fromErrorInfo, toErrorInfo } from './error-info';
import type { PipelineEvent, StepEvent } from './events';
import type { RunParams } from './parameters';
import { resolveRunParams } from './parameters';
import { resolveReferences } from './resolve-references';
import type { ReferenceScope } from './resolve-references';
import type { ErrorInfo, RunResult, RunStatus, StepResult, StepStatus } from './results';
import { isSuccess, isTerminal } from './results';
import { normalizeRetry } from './retry-policy';
import type { RunHandle, RunHandleStatus, RunOptions } from './run-handle';
import { customCacheKey, defaultCacheKey } from './cache-key';
import { fingerprintOf } from './fingerprint';
import { nestedRunStore } from './nested-run-store';
import { findUnserializable } from './serializable';
import { RunStepChannel } from './run-step-channel';
import type { ChannelHost, StepEventBody } from './run-step-channel';
import { Slots } from './slots';
import { pendingResult, writableArtifacts } from './step-state';
import type { StepState } from './step-state';
import type { SpawnOptions, StepContext } from './step-context';

/** What a run needs from its engine. */
export interface RunDeps {
  readonly definition: PipelineDefinition;
  readonly options: RunOptions;
  readonly runParams: RunParams;
  readonly store: RunStore;
  readonly executor: Executor;
  /** The run's own child container. */
  readonly container: DependencyContainer;
  readonly runId: string;
  /** Called once when the run has ended. */
  readonly onEnd?: (run: Run) => void;
  /** For `resume()`: results of steps that are kept from the interrupted run. */
  readonly restored?: Readonly<Record<string, StepResult>>;
  /** For `resume()`: when the run first began; its record keeps that start (and its place in history). */
  readonly firstStartedAt?: number;
}

/** Why a step was skipped, as the `code` of its `error`. */
type SkipCode = 'SKIPPED_BY_CALLBACK' | 'PARENT_NOT_SUCCEEDED' | 'RUN_ENDED';

const NONE: readonly StepState[] = [];

/** The params of every step that has none: shared, so frozen. */
const NO_PARAMS: Params = Object.freeze({}) as Params;

const ABORT_CODES: ReadonlySet<string> = new Set<StepErrorCode>(['STEP_TIMEOUT', 'RUN_TIMEOUT', 'RUN_STOPPED', 'ABORTED_ON_FAILURE']);

const isAbortError = (error: unknown): error is StepError => error instanceof StepError && ABORT_CODES.has(error.code);

/** Carries a step's own error through p-retry, which would otherwise refuse to retry `TypeError`s. */
class AttemptFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

const unwrap = (error: unknown): unknown => (error instanceof AttemptFailure ? error.original : error);

const callbackFailed = (step: string, label: string, error: unknown): StepError =>
  new StepError('CALLBACK_FAILED', step, `${label} of step '${step}' threw: ${toErrorInfo(error).message}`, { cause: error });

/**
 * One run of a pipeline: the scheduler and the owner of its state.
 *
 * Steps become ready when their parents have ended; ready steps flow through `ready$` into a
 * `mergeMap` that runs each step's lifecycle (callbacks, queue, attempts through the executor,
 * after-callbacks). Every state change is saved to the store, then published on `events$`.
 */
export class Run implements RunHandle {
  readonly id: string;
  readonly events$: Observable<PipelineEvent>;
  readonly result: Promise<RunResult>;

  private readonly definition: PipelineDefinition;
  private readonly options: RunOptions;
  private readonly store: RunStore;
  private readonly executor: Executor;
  private readonly container: DependencyContainer;
  private readonly events = new Subject<PipelineEvent>();
  private readonly ready = new Subject<StepState>();
  private readonly states = new Map<string, StepState>();
  private readonly slots: Slots;
  /** Callers awaiting `ctx.spawn`: how many spawns each awaits, and whether it gave up its slot. */
  private readonly spawnsAwaited = new Map<StepState, { count: number; gaveSlot: boolean }>();
  private readonly runAbort = new AbortController();
  private readonly pipelineInfo: StepRequest['pipeline'];
  private readonly stepOverrides: RunParams['steps'];
  private readonly onEnd: ((run: Run) => void) | undefined;
  private readonly firstStartedAt: number | undefined;
  private currentGraph: PipelineGraph;
  private instance: unknown;
  /** What step channels may reach of this run. */
  private readonly host: ChannelHost;
  private phase: 'pending' | 'running' | 'failing' | 'stopping' | 'ended' = 'pending';
  private endStatus: RunStatus | undefined;
  private runError: ErrorInfo | undefined;
  private ended = 0;
  private startedAt = 0;
  private subscription: Subscription | undefined;
  private runTimer: NodeJS.Timeout | undefined;
  private removeSignalListener: (() => void) | undefined;
  private resolveResult!: (result: RunResult) => void;
  /** The store commits on demand: events are published in batches, each after one commit. */
  private readonly batching: boolean;
  private unpublished: PipelineEvent[] = [];
  private afterLastEvent: (() => void) | undefined;
  /** Set by `stop()` (the run ends `aborted`) or the run's time limit (it ends `failed`). */
  private interruption: 'RUN_STOPPED' | 'RUN_TIMEOUT' | undefined;

  constructor(deps: RunDeps) {
    this.id = deps.runId;
    this.definition = deps.definition;
    this.options = deps.options;
    this.store = deps.store;
    this.executor = deps.executor;
    this.container = deps.container;
    this.onEnd = deps.onEnd;
    this.firstStartedAt = deps.firstStartedAt;
    this.batching = typeof deps.store.commit === 'function';
    this.currentGraph = deps.definition.graph;
    this.stepOverrides = deps.runParams.steps;
    this.pipelineInfo = { name: deps.definition.name, version: deps.definition.version, params: deps.runParams.pipeline };
    this.slots = new Slots(deps.options.concurrency ?? deps.definition.concurrency ?? Infinity);
    const run = this;
    this.host = {
      id: this.id,
      store: this.store,
      container: this.container,
      get instance() {
        return run.instance;
      },
      emitStep: (state, event) => this.emitStep(state, event),
      stateOf: (step) => this.states.get(step),
      spawn: (caller, template, options) => this.spawn(caller, template, options),
      started: (state, agent) => this.markStarted(state, agent),
    };
    this.events$ = this.events.asObservable();
    this.result = new Promise((resolve) => (this.resolveResult = resolve));
    for (const node of this.currentGraph) this.addState(node);
    for (const state of this.states.values()) {
      state.parents = state.node.parents.map((name) => this.states.get(name) as StepState);
      const children = this.currentGraph.childrenOf(state.name);
      if (children.length > 0) state.children = children.map((name) => this.states.get(name) as StepState);
    }
    if (deps.restored) this.restore(deps.restored);
    // Starting on a microtask lets a subscriber of the same tick see `run.started`.
    queueMicrotask(() => this.begin());
  }

  get status(): RunHandleStatus {
    if (this.endStatus !== undefined) return this.endStatus;
    return this.phase === 'pending' ? 'pending' : 'running';
  }

  get graph(): PipelineGraph {
    return this.currentGraph;
  }

  running(): string[] {
    const names: string[] = [];
    for (const state of this.states.values()) {
      if (state.result.status === 'running' || state.result.status === 'retrying') names.push(state.name);
    }
    return names;
  }

  stop(reason = 'stopped'): Promise<RunResult> {
    this.interrupt('RUN_STOPPED', `Run stopped: ${reason}`);
    return this.result;
  }

  // ---------------------------------------------------------------- lifecycle of the run

  private begin(): void {
    const stoppedEarly = this.phase === 'stopping';
    if (!stoppedEarly) this.phase = 'running';
    this.startedAt = Date.now();
    const { definition } = this;
    try {
      if (definition.target !== undefined && !stoppedEarly) {
        this.instance = this.container.resolve(definition.target);
      }
    } catch (error) {
      this.runError = toErrorInfo(error);
    }
    this.store.beginRun({
      runId: this.id,
      pipeline: definition.name,
      version: definition.version,
      params: this.pipelineInfo.params,
      input: this.options.params ?? {},
      fingerprint: this.store.durable ? fingerprintOf(definition) : {},
      status: 'running',
      startedAt: this.firstStartedAt ?? this.startedAt,
      endedAt: undefined,
      error: undefined,
    });
    this.emit({ type: 'run.started', runId: this.id, at: this.startedAt, pipeline: definition.name, version: definition.version, params: this.pipelineInfo.params });

    if (stoppedEarly) {
      this.skipNotStarted(this.runError?.message ?? 'stopped');
      this.maybeEnd();
      return;
    }
    if (this.runError !== undefined) {
      // The pipeline class could not be constructed (a missing service): no step can run.
      this.phase = 'failing';
      this.skipNotStarted(`the pipeline could not be constructed: ${this.runError.message}`);
      this.maybeEnd();
      return;
    }
    const signal = this.options.signal;
    if (signal) {
      const onAbort = (): void => {
        this.interrupt('RUN_STOPPED', `Run stopped: ${signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'signal aborted')}`);
      };
      if (signal.aborted) {
        onAbort();
        this.maybeEnd();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.removeSignalListener = () => signal.removeEventListener('abort', onAbort);
    }
    const timeoutMs = definition.timeoutMs;
    if (timeoutMs !== undefined) {
      this.runTimer = setTimeout(() => this.interrupt('RUN_TIMEOUT', `Run exceeded its time limit of ${timeoutMs} ms`), timeoutMs);
    }
    // Ready steps flow into their lifecycles; the slot gate bounds how many run. Not `mergeMap`:
    // each of its inner subscriptions is removed from an array when it completes, O(active),
    // which turns a 100 000-wide fan-out quadratic.
    this.subscription = this.ready.subscribe((state) => void this.lifecycle(state));
    for (const state of this.states.values()) {
      if (state.result.status !== 'skipped') continue; // kept from a resumed run: its descendants stay skipped
      this.skipAll([...state.children], state.name);
    }
    // A snapshot: a root that spawns synchronously adds states, which must not be readied twice.
    const roots = [...this.states.values()].filter((state) => state.waitingParents === 0 && !isTerminal(state.result.status));
    for (const state of roots) this.ready.next(state);
    this.maybeEnd();
  }

  /** Stop or run timeout: abort what runs, skip the rest. */
  private interrupt(code: 'RUN_STOPPED' | 'RUN_TIMEOUT', message: string): void {
    if (this.phase === 'ended' || this.phase === 'stopping') return;
    const pending = this.phase === 'pending';
    this.phase = 'stopping';
    this.interruption = code;
    this.runError = { message, code, name: 'StepError' };
    if (pending) return; // begin() will see the stop and end the run without starting steps
    this.abortRunning(code, message);
    this.skipNotStarted(message);
    this.maybeEnd();
  }

  private abortRunning(code: StepErrorCode, message: string): void {
    const running = [...this.states.values()].filter((state) => state.abort !== undefined);
    const reason = new StepError(code, this.definition.name, message);
    if (!this.runAbort.signal.aborted) this.runAbort.abort(reason);
    for (const state of running) state.abort?.(new StepError(code, state.name, message));
  }

  /** Skips every step that has not started, except steps spawned by a step still running. */
  private skipNotStarted(reason: string, keepSpawned = false): void {
    for (const state of this.states.values()) {
      const status = state.result.status;
      // Handed to the executor (it has a request), even if still queued on an agent: it is aborted, not skipped.
      if (isTerminal(status) || status === 'running' || status === 'retrying' || state.abort !== undefined || state.request !== undefined) continue;
      if (keepSpawned && state.node.spawnedBy !== undefined) {
        const spawner = this.states.get(state.node.spawnedBy);
        if (spawner && !isTerminal(spawner.result.status)) continue;
      }
      this.finishSkipped(state, reason);
    }
  }

  private maybeEnd(): void {
    if (this.phase === 'ended' || this.phase === 'pending' || this.ended < this.states.size) return;
    this.phase = 'ended';
    const status: RunStatus = this.interruption === 'RUN_STOPPED' ? 'aborted' : this.runError !== undefined ? 'failed' : 'succeeded';
    this.endStatus = status;
    if (this.runTimer) clearTimeout(this.runTimer);
    this.removeSignalListener?.();
    this.subscription?.unsubscribe();
    this.ready.complete();
    const endedAt = Date.now();
    const elapsedMs = endedAt - this.startedAt;
    const result: RunResult = {
      runId: this.id,
      pipeline: this.definition.name,
      version: this.definition.version,
      status,
      steps: Object.fromEntries([...this.states.values()].map((state) => [state.name, state.result as StepResult])),
      elapsedMs,
      error: this.runError,
    };
    this.store.endRun(this.id, status, endedAt, this.runError);
    const type = status === 'succeeded' ? 'run.succeeded' : status === 'failed' ? 'run.failed' : 'run.aborted';
    this.emit({ type, runId: this.id, at: endedAt, status, elapsedMs, ...(this.runError ? { error: this.runError } : {}) });
    const end = (): void => {
      this.events.complete();
      this.onEnd?.(this);
      this.resolveResult(result);
    };
    // With batched publishing, the run ends once its last event is out.
    if (this.unpublished.length > 0) this.afterLastEvent = end;
    else end();
  }

  /**
   * Keeps what an interrupted run finished: succeeded and cached steps with their outputs,
   * and steps a callback chose to skip. Everything else runs again.
   */
  private restore(restored: Readonly<Record<string, StepResult>>): void {
    for (const state of this.states.values()) {
      const previous = restored[state.name];
      if (previous === undefined) continue;
      const kept = isSuccess(previous.status) || (previous.status === 'skipped' && previous.error?.code === 'SKIPPED_BY_CALLBACK');
      if (!kept) continue;
      Object.assign(state.result, previous, {
        metrics: { ...previous.metrics },
        logs: [...previous.logs],
        artifacts: { ...previous.artifacts },
      });
      this.ended++;
      if (!isSuccess(previous.status)) continue;
      for (const child of state.children) child.waitingParents--;
    }
  }

  // ---------------------------------------------------------------- lifecycle of a step

  private addState(node: StepNode): StepState {
    const state: StepState = {
      name: node.name,
      node,
      result: pendingResult(),
      parents: NONE,
      children: NONE,
      waitingParents: node.spawnedBy === undefined ? node.parents.length : 0,
      params: {},
      abort: undefined,
      holdsSlot: false,
      saved: false,
      callbackError: undefined,
      request: undefined,
      waiters: undefined,
    };
    this.states.set(node.name, state);
    return state;
  }

  /** One step, start to end; always ends the step and gives its slot back. */
  private async lifecycle(state: StepState): Promise<void> {
    try {
      await this.runStep(state);
    } catch (error) {
      // Defensive: a bug in the engine must not leave a step hanging or error `events$`.
      if (!isTerminal(state.result.status)) this.finish(state, 'failed', undefined, toErrorInfo(error));
    } finally {
      if (state.holdsSlot) {
        state.holdsSlot = false;
        this.slots.release();
      }
    }
  }

  private async runStep(state: StepState): Promise<void> {
    const { node } = state;
    this.emitStep(state, { type: 'step.created', ...(node.spawnedBy !== undefined ? { spawnedBy: node.spawnedBy } : {}) });

    // Parameters: template defaults → step params → run params for the step → preExecute.
    try {
      const params = this.resolveParams(state);
      state.params = params instanceof Promise ? await params : params;
    } catch (error) {
      return this.finish(state, 'failed', undefined, toErrorInfo(error));
    }
    if (isTerminal(state.result.status)) return;

    if (this.options.onStepCreated !== undefined || this.definition.beforeStep.length > 0 || node.options.preExecute !== undefined) {
      const skipReason = await this.runBeforeCallbacks(state);
      if (isTerminal(state.result.status)) return;
      if (skipReason instanceof StepError) return this.finish(state, 'failed', undefined, toErrorInfo(skipReason));
      if (skipReason !== undefined) return this.finishSkipped(state, skipReason, 'SKIPPED_BY_CALLBACK');
    }

    const cacheKey = node.options.cache ? await this.cacheKeyOf(state) : undefined;
    if (isTerminal(state.result.status)) return;
    if (cacheKey instanceof StepError) return this.finish(state, 'failed', undefined, toErrorInfo(cacheKey));
    if (cacheKey !== undefined && !this.refreshes(state.name)) {
      const hit = this.store.getCache(cacheKey);
      if (hit) {
        Object.assign(writableArtifacts(state.result), hit.artifacts);
        return this.complete(state, 'cached', hit.output, undefined);
      }
    }

    const queue = node.options.queue ?? 'default';
    this.transition(state, 'queued', { type: 'step.queued', queue });
    const wait = this.slots.acquire();
    if (wait) await wait;
    state.holdsSlot = true;
    if (isTerminal(state.result.status)) return;
    if (state.callbackError) return this.finish(state, 'failed', undefined, toErrorInfo(state.callbackError));

    let output: unknown;
    let failure: unknown;
    try {
      output = await this.execute(state, queue);
    } catch (error) {
      failure = error;
    }
    if (isTerminal(state.result.status)) return; // skipped meanwhile: a late result is dropped
    if (state.holdsSlot) {
      state.holdsSlot = false;
      this.slots.release();
    }
    if (failure === undefined && state.callbackError) failure = state.callbackError;
    if (failure === undefined && this.store.durable) failure = this.unserializable(state, output);
    if (failure === undefined && cacheKey !== undefined) {
      this.store.putCache({ key: cacheKey, pipeline: this.definition.name, step: state.name, output, artifacts: { ...state.result.artifacts }, createdAt: Date.now() });
    }
    const status: StepStatus = failure === undefined ? 'succeeded' : isAbortError(failure) ? 'aborted' : 'failed';
    const completed = this.complete(state, status, failure === undefined ? output : undefined, failure === undefined ? undefined : toErrorInfo(failure));
    if (completed) await completed;
  }

  private refreshes(step: string): boolean {
    const refresh = this.options.refreshCache;
    return refresh === true || (Array.isArray(refresh) && refresh.includes(step));
  }

  /** The step's cache key, or the error its key function threw. */
  private async cacheKeyOf(state: StepState): Promise<string | StepError> {
    const { node } = state;
    const cache = node.options.cache;
    if (typeof cache === 'object') {
      try {
        const key = await cache.key(this.callbackContext(state));
        if (typeof key !== 'string') throw new TypeError(`it returned ${typeof key}, not a string`);
        return customCacheKey(this.definition, node, key);
      } catch (error) {
        return callbackFailed(state.name, 'The cache key function', error);
      }
    }
    return defaultCacheKey(this.definition, node, state.params, this.parentOutputs(state));
  }

  /** A durable store keeps outputs as JSON: anything JSON would drop or change fails the step. */
  private unserializable(state: StepState, output: unknown): StepError | undefined {
    const problem = findUnserializable(output);
    if (problem === undefined) return undefined;
    return new StepError(
      'NOT_SERIALIZABLE',
      state.name,
      `Step '${state.name}' returned an output that cannot be stored: ${problem.path} ${problem.reason}. ` +
        'Outputs must be JSON-serializable; put large or binary data in artifacts (ctx.artifacts.put).',
    );
  }

  /** Synchronous unless the step's params are a function. */
  private resolveParams(state: StepState): Params | Promise<Params> {
    const { node } = state;
    const defaults = node.body.kind === 'template' ? node.body.template.defaults : undefined;
    const stepParams = node.options.params;
    const overrides = this.stepOverrides.size > 0 ? this.stepOverrides.get(state.name) : undefined;
    if (typeof stepParams === 'function') return this.resolveParamsFunction(state, stepParams, defaults ?? {}, overrides);
    if (stepParams === undefined && defaults === undefined && overrides === undefined) return NO_PARAMS;
    const own = stepParams === undefined ? undefined : (resolveReferences(stepParams, this.referenceScope(state)) as Params);
    return { ...defaults, ...own, ...overrides };
  }

  private async resolveParamsFunction(
    state: StepState,
    fn: (ctx: StepContext) => Params | Promise<Params>,
    defaults: Readonly<Params>,
    overrides: Params | undefined,
  ): Promise<Params> {
    let own: Params;
    try {
      own = await fn(this.callbackContext(state, { ...defaults }));
    } catch (error) {
      throw callbackFailed(state.name, 'The params function', error);
    }
    if (!isPlainObject(own)) {
      throw new StepError('CALLBACK_FAILED', state.name, `The params function of step '${state.name}' must return an object.`);
    }
    return { ...defaults, ...own, ...overrides };
  }

  /** Runs onStepCreated, @BeforeStep hooks and preExecute; a string is a skip reason. */
  private async runBeforeCallbacks(state: StepState): Promise<string | StepError | undefined> {
    const { options } = this;
    const { node } = state;
    if (options.onStepCreated) {
      const verdict = await this.guard(state, 'onStepCreated', () => options.onStepCreated?.(this.callbackContext(state)));
      if (verdict instanceof StepError) return verdict;
      if (verdict === false) return 'onStepCreated returned false';
    }
    for (const hook of this.definition.beforeStep) {
      const label = hook.kind === 'method' ? `@BeforeStep ${hook.method}()` : 'beforeStep hook';
      const verdict = await this.guard(state, label, () => this.callHook(hook, this.callbackContext(state)));
      if (verdict instanceof StepError) return verdict;
      if (verdict === false) return `${label} returned false`;
    }
    if (node.options.preExecute) {
      const verdict = (await this.guard(state, 'preExecute', () => node.options.preExecute?.(this.callbackContext(state)))) as
        | PreExecuteResult
        | StepError;
      if (verdict instanceof StepError) return verdict;
      if (verdict === false) return 'preExecute returned false';
      if (isPlainObject(verdict)) state.params = { ...state.params, ...verdict };
    }
    return undefined;
  }

  private async guard(state: StepState, label: string, callback: () => unknown): Promise<unknown> {
    try {
      return await callback();
    } catch (error) {
      return callbackFailed(state.name, label, error);
    }
  }

  private callHook(hook: StepHook, ctx: StepContext, result?: StepResult): unknown {
    if (hook.kind === 'function') return hook.fn(ctx, result);
    return (this.instance as Record<string, (ctx: StepContext, result?: StepResult) => unknown>)[hook.method]?.(ctx, result);
  }

  /** All attempts of a step, with retries, per-attempt timeouts and run-level aborts. */
  private execute(state: StepState, queue: string): Promise<unknown> {
    const retry = normalizeRetry(state.node.options.retry);
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      state.abort = (error) => {
        if (settled) return;
        settled = true;
        state.abort = undefined;
        reject(error);
      };
      const done = (value: unknown, failed: boolean): void => {
        if (settled) return;
        settled = true;
        state.abort = undefined;
        if (failed) reject(value);
        else resolve(value);
      };
      if (this.runAbort.signal.aborted) return done(this.runAbort.signal.reason, true);
      if (retry === undefined) {
        this.attempt(state, 1, queue).then(
          (value) => done(value, false),
          (error) => done(error, true),
        );
        return;
      }
      pRetry(
        async (attempt) => {
          if (settled || this.runAbort.signal.aborted) throw new pRetry.AbortError(new AttemptFailure(this.runAbort.signal.reason));
          try {
            return await this.attempt(state, attempt, queue);
          } catch (error) {
            throw new AttemptFailure(error);
          }
        },
        {
          retries: Number.isFinite(retry.retries) ? retry.retries : 10,
          forever: !Number.isFinite(retry.retries),
          minTimeout: retry.minTimeout,
          maxTimeout: retry.maxTimeout,
          factor: retry.factor,
          randomize: retry.randomize,
          // Not unref'd: a backoff wait is work in progress, and a script awaiting the run must not exit during it.
          onFailedAttempt: async (failure) => {
            const error = unwrap(failure);
            // Run-level aborts are final; a timeout is final unless a predicate accepts it.
            if (settled || this.runAbort.signal.aborted) throw failure;
            if (retry.shouldRetry) {
              let again: boolean;
              try {
                again = await retry.shouldRetry(error as Error, failure.attemptNumber, this.callbackContext(state));
              } catch (predicateError) {
                throw new AttemptFailure(callbackFailed(state.name, 'The retry predicate', predicateError));
              }
              if (!again) throw failure;
            } else if (isAbortError(error)) {
              throw failure;
            }
            // Out of retries: reject with this attempt's error (p-retry would pick the most frequent one).
            if (Number.isFinite(retry.retries) && failure.retriesLeft <= 0) throw failure;
            this.transition(state, 'retrying', { type: 'step.retrying', error: toErrorInfo(error) });
          },
        },
      ).then(
        (value) => done(value, false),
        (error) => done(unwrap(error), true),
      );
    });
  }

  /** One attempt: through the executor (or a child run), bounded by the step's `timeoutMs`. */
  private attempt(state: StepState, attempt: number, queue: string): Promise<unknown> {
    const { node } = state;
    const timeoutMs = node.options.timeoutMs;
    const attemptAbort = timeoutMs === undefined ? undefined : new AbortController();
    const signal = attemptAbort ? AbortSignal.any([this.runAbort.signal, attemptAbort.signal]) : this.runAbort.signal;
    const template = node.body.kind === 'template' ? node.body.template : undefined;
    const request: StepRequest = {
      runId: this.id,
      pipeline: this.pipelineInfo,
      step: state.name,
      template: template && { kind: template.kind, name: template.name, version: template.version },
      params: state.params,
      parents: this.parentOutputs(state),
      attempt,
      queue,
    };
    state.request = request;
    state.result.attempts = attempt;
    const remote = this.executor.reportsStart === true && template?.kind !== 'pipeline';
    // A remote attempt stays `queued` until an agent takes it (`channel.started`).
    if (!remote) this.markStarted(state, undefined);

    const work =
      template?.kind === 'pipeline'
        ? this.runChildPipeline(state, template.target, signal)
        : this.executor.execute(request, this.channel(state, signal));
    if (attemptAbort === undefined) return work;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new StepError('STEP_TIMEOUT', state.name, `Step '${state.name}' exceeded its time limit of ${timeoutMs} ms (attempt ${attempt}).`);
        attemptAbort.abort(error);
        reject(error);
      }, timeoutMs);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** The attempt has started, here or on `agent`; a second start on another agent is reported again. */
  private markStarted(state: StepState, agent: string | undefined): void {
    const { result } = state;
    if (isTerminal(result.status)) return;
    result.startedAt ??= Date.now();
    const event = agent === undefined ? ({ type: 'step.started' } as const) : ({ type: 'step.started', agent } as const);
    if (result.status === 'running') this.emitStep(state, event);
    else this.transition(state, 'running', event);
  }

  /** Runs after-callbacks, then records the step's end; synchronous when there are none. */
  private complete(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined): Promise<void> | undefined {
    const { node } = state;
    if (node.options.postExecute === undefined && this.definition.afterStep.length === 0 && this.options.onStepCompleted === undefined) {
      this.finish(state, status, isSuccess(status) ? output : undefined, error);
      return undefined;
    }
    return this.completeWithCallbacks(state, status, output, error);
  }

  private async completeWithCallbacks(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined): Promise<void> {
    const { node } = state;
    let finalStatus = status;
    let finalError = error;
    // One end time for every after-callback and the recorded result: they all see the same result.
    const endedAt = Date.now();
    const tentative = (): StepResult => ({ ...state.result, status: finalStatus, output, error: finalError, endedAt });
    const after: Array<[string, () => unknown]> = [];
    if (node.options.postExecute) after.push(['postExecute', () => node.options.postExecute?.(this.callbackContext(state), tentative())]);
    for (const hook of this.definition.afterStep) {
      const label = hook.kind === 'method' ? `@AfterStep ${hook.method}()` : 'afterStep hook';
      after.push([label, () => this.callHook(hook, this.callbackContext(state), tentative())]);
    }
    if (this.options.onStepCompleted) after.push(['onStepCompleted', () => this.options.onStepCompleted?.(this.callbackContext(state), tentative())]);
    for (const [label, callback] of after) {
      const verdict = await this.guard(state, label, callback);
      if (isTerminal(state.result.status)) return;
      if (verdict instanceof StepError && finalError === undefined) {
        finalStatus = 'failed';
        finalError = toErrorInfo(verdict);
      }
    }
    this.finish(state, finalStatus, isSuccess(finalStatus) ? output : undefined, finalError, endedAt);
  }

  /** Records a terminal status, publishes it, and moves the DAG on. */
  private finish(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined, endedAt = Date.now()): void {
    if (isTerminal(state.result.status)) return;
    const { result, node } = state;
    const previous = result.status;
    if (node.options.onStatusChange) {
      try {
        node.options.onStatusChange(this.callbackContext(state), status, previous);
      } catch (callbackError) {
        if (isSuccess(status)) {
          status = 'failed';
          error = toErrorInfo(callbackFailed(state.name, 'onStatusChange', callbackError));
          output = undefined;
          // It was told of a success that did not stand: tell it of the failure that does.
          try {
            node.options.onStatusChange(this.callbackContext(state), status, previous);
          } catch {
            // Already failing because of this callback; a second throw changes nothing.
          }
        }
      }
    }
    result.status = status;
    result.output = output;
    result.error = error;
    result.endedAt = endedAt;
    state.abort = undefined;
    this.save(state);
    if (isSuccess(status)) this.emitStep(state, { type: status === 'cached' ? 'step.cached' : 'step.succeeded', output });
    else if (status === 'skipped') this.emitStep(state, { type: 'step.skipped', reason: error?.message ?? 'skipped' });
    else this.emitStep(state, { type: status === 'aborted' ? 'step.aborted' : 'step.failed', error: error ?? { message: status, name: 'Error' } });
    this.ended++;
    // The last request holds the parents' outputs: let them go with the step, not with the run.
    state.request = undefined;
    this.afterEnd(state);
  }

  /** Saves a step's state; stores that keep results by reference need it only once. */
  private save(state: StepState): void {
    if (state.saved && this.store.keepsReferences === true) return;
    state.saved = true;
    this.store.saveStep(this.id, state.name, state.result);
  }

  private finishSkipped(state: StepState, reason: string, code: SkipCode = 'RUN_ENDED'): void {
    this.finish(state, 'skipped', undefined, { message: reason, code, name: 'Skipped' });
  }

  /** Wakes spawn callers, fails or continues the run, and readies or skips children. */
  private afterEnd(ended: StepState): void {
    const waiters = ended.waiters;
    ended.waiters = undefined;
    if (waiters) for (const wake of waiters) wake(ended);

    const { status } = ended.result;
    const { options, spawnedBy } = ended.node;
    const failed = status === 'failed' || status === 'aborted';
    // A spawned step's failure belongs to its caller (who may catch it), not to the run.
    if (failed && !options.continueOnFail && spawnedBy === undefined && this.phase === 'running') this.failRun(ended);

    const passes = isSuccess(status) || (failed && options.continueOnFail === true && options.skipChildrenOnFail === false);
    const toSkip: StepState[] = [];
    for (const state of ended.children) {
      if (isTerminal(state.result.status)) continue;
      if (!passes) toSkip.push(state);
      else if (--state.waitingParents === 0) {
        if (this.phase === 'running') this.ready.next(state);
        else toSkip.push(state);
      }
    }
    this.skipAll(toSkip, ended.name);
    this.maybeEnd();
  }

  /** Skips steps and all their descendants. Iterative: a failure at the head of a 100 000-step chain must not blow the stack. */
  private skipAll(toSkip: StepState[], because: string): void {
    while (toSkip.length > 0) {
      const state = toSkip.pop() as StepState;
      if (isTerminal(state.result.status)) continue;
      const { result } = state;
      const previous = result.status;
      result.status = 'skipped';
      result.error = { message: `upstream step '${because}' did not succeed`, code: 'PARENT_NOT_SUCCEEDED', name: 'Skipped' };
      result.endedAt = Date.now();
      state.request = undefined;
      if (state.node.options.onStatusChange) {
        try {
          state.node.options.onStatusChange(this.callbackContext(state), 'skipped', previous);
        } catch {
          // A step that never runs cannot fail; its skip stands whatever the callback thinks.
        }
      }
      this.save(state);
      this.emitStep(state, { type: 'step.skipped', reason: result.error.message });
      this.ended++;
      for (const next of state.children) if (!isTerminal(next.result.status)) toSkip.push(next);
    }
  }

  private failRun(failed: StepState): void {
    this.phase = 'failing';
    const error = failed.result.error;
    this.runError = {
      message: `Step '${failed.name}' ${failed.result.status}: ${error?.message ?? 'unknown error'}`,
      ...(error?.code !== undefined ? { code: error.code } : {}),
      name: error?.name ?? 'Error',
    };
    if (this.definition.abortOnFailure) {
      this.abortRunning('ABORTED_ON_FAILURE', `Aborted because step '${failed.name}' failed and the pipeline aborts on failure`);
      this.skipNotStarted(`step '${failed.name}' failed`);
    } else {
      this.skipNotStarted(`step '${failed.name}' failed`, true);
    }
  }

  // ---------------------------------------------------------------- status and events

  private transition(state: StepState, status: StepStatus, event: StepEventBody): void {
    const { result, node } = state;
    const previous = result.status;
    result.status = status;
    this.save(state);
    this.emitStep(state, event);
    if (node.options.onStatusChange) {
      try {
        node.options.onStatusChange(this.callbackContext(state), status, previous);
      } catch (error) {
        state.callbackError ??= callbackFailed(state.name, 'onStatusChange', error);
      }
    }
  }

  private emitStep(state: StepState, body: StepEventBody): void {
    // Stamped in place: event bodies are fresh literals, and copying them would double the allocations per event.
    const event = body as { -readonly [K in keyof StepEvent]: StepEvent[K] };
    event.runId = this.id;
    event.at = Date.now();
    event.step = state.name;
    event.attempt = state.result.attempts;
    this.emit(event as StepEvent);
  }

  private emit(event: PipelineEvent): void {
    this.store.appendEvent?.(event);
    if (!this.batching) {
      this.events.next(event);
      return;
    }
    this.unpublished.push(event);
    if (this.unpublished.length === 1) queueMicrotask(() => this.publish());
  }

  /**
   * For stores that commit on demand: one commit for the events of a synchronous turn, then
   * publishes them in order. No subscriber sees an event whose state change is not durable.
   */
  private publish(): void {
    const batch = this.unpublished;
    this.unpublished = [];
    try {
      this.store.commit?.();
    } catch (error) {
      // The events describe what really happened in this process; publish them, and let the run say its store failed.
      this.runError ??= { message: `The store failed to commit: ${toErrorInfo(error).message}`, code: 'STORE_FAILED', name: 'StoreError' };
    }
    for (const event of batch) this.events.next(event);
    if (this.unpublished.length === 0 && this.afterLastEvent !== undefined) {
      const after = this.afterLastEvent;
      this.afterLastEvent = undefined;
      after();
    }
  }

  // ---------------------------------------------------------------- what steps see

  private parentOutputs(state: StepState): Record<string, unknown> {
    // No prototype: in a literal, every distinct parent name would mint a V8 hidden class, one per step of a chain.
    const parents = Object.create(null) as Record<string, unknown>;
    for (const parent of state.parents) parents[parent.name] = parent.result.output;
    return parents;
  }

  private referenceScope(state: StepState): ReferenceScope {
    return {
      step: state.name,
      pipelineParams: this.pipelineInfo.params,
      output: (step) => {
        const other = this.states.get(step);
        return other && isTerminal(other.result.status) ? { value: other.result.output } : undefined;
      },
      artifact: (step, name) => this.states.get(step)?.result.artifacts[name],
      id: (step) => `${this.id}.${step}`,
    };
  }

  /** A context for callbacks and param functions: the last attempt's, or attempt 0 before any. */
  private callbackContext(state: StepState, params: Params = state.params): StepContext {
    const request: StepRequest = state.request ?? {
      runId: this.id,
      pipeline: this.pipelineInfo,
      step: state.name,
      template: undefined,
      params,
      parents: this.parentOutputs(state),
      attempt: 0,
      queue: state.node.options.queue ?? 'default',
    };
    return createStepContext(request, this.channel(state, this.runAbort.signal));
  }

  private channel(state: StepState, signal: AbortSignal): StepChannel {
    return new RunStepChannel(this.host, state, signal);
  }

  // ---------------------------------------------------------------- dynamic steps

  private async spawn<T>(caller: StepState, template: Constructor<T>, options: SpawnOptions = {}): Promise<never> {
    if (isTerminal(caller.result.status)) {
      throw new StepError('SPAWN_FAILED', caller.name, `Step '${caller.name}' has ended and can no longer spawn steps.`);
    }
    const scope = { pipeline: this.definition.name, params: this.pipelineInfo.params };
    const ref = templateRef(template, options.name ?? '(spawned)', scope);
    const name = options.name ?? ref.name;
    if (this.states.has(name)) {
      throw new StepError('DUPLICATE_STEP', caller.name, `Step '${caller.name}' cannot spawn '${name}': the run already has a step by that name. Pass a unique { name }.`);
    }
    const node: StepNode = {
      name,
      parents: [caller.name],
      body: { kind: 'template', template: ref },
      options: {
        ...(options.params ? { params: options.params } : {}),
        ...(options.queue ? { queue: options.queue } : {}),
        ...(options.retry !== undefined ? { retry: options.retry } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      },
      declaredParams: { ...ref.defaults, ...options.params },
      spawnedBy: caller.name,
    };
    try {
      this.currentGraph = this.currentGraph.withNode(node);
    } catch (error) {
      if (error instanceof PipelineDefinitionError) throw new StepError('SPAWN_FAILED', caller.name, error.message, { cause: error });
      throw error;
    }
    const state = this.addState(node);
    const ended = new Promise<StepState>((resolve) => (state.waiters = [resolve]));
    // The caller waits without holding a slot, so its children can run even at concurrency 1.
    // It takes one back only when none of its spawns is left: taking it back while a sibling
    // spawn still waits for a slot would deadlock.
    const awaiting = this.spawnsAwaited.get(caller) ?? { count: 0, gaveSlot: false };
    this.spawnsAwaited.set(caller, awaiting);
    awaiting.count++;
    if (caller.holdsSlot) {
      caller.holdsSlot = false;
      awaiting.gaveSlot = true;
      this.slots.release();
    }
    this.ready.next(state);
    const child = await ended;
    if (--awaiting.count === 0) {
      this.spawnsAwaited.delete(caller);
      if (awaiting.gaveSlot && !isTerminal(caller.result.status)) {
        const wait = this.slots.acquire();
        if (wait) await wait;
        // Ended while waiting (stopped, timed out): the slot is not its to keep.
        if (isTerminal(caller.result.status)) this.slots.release();
        else caller.holdsSlot = true;
      }
    }
    if (isSuccess(child.result.status)) return child.result.output as never;
    const error = fromErrorInfo(child.result.error ?? { message: `Spawned step '${name}' ${child.result.status}`, name: 'Error' });
    throw error;
  }

  private async runChildPipeline(state: StepState, target: Constructor, signal: AbortSignal): Promise<unknown> {
    const definition = scanPipeline(target);
    const runParams = resolveRunParams(definition, state.params);
    const child = new Run({
      definition,
      options: { signal },
      runParams,
      store: nestedRunStore(this.store),
      executor: this.executor,
      container: this.container.createChildContainer(),
      runId: `${this.id}/${state.name}/${state.result.attempts}`,
    });
    const forwarding = child.events$.subscribe((event) => {
      if (event.type.startsWith('run.') || isTerminal(state.result.status)) return;
      const inner = event as StepEvent;
      this.emit({ ...inner, runId: this.id, path: [state.name, ...(inner.path ?? [inner.step])] });
    });
    const result = await child.result;
    forwarding.unsubscribe();
    if (result.status !== 'succeeded') {
      const reason = signal.reason;
      if (signal.aborted && reason instanceof StepError) throw new StepError(reason.code, state.name, reason.message);
      throw new StepError('STEP_FAILED', state.name, `Nested pipeline '${definition.name}' ${result.status}: ${result.error?.message ?? ''}`.trim());
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, step] of Object.entries(result.steps)) if (isSuccess(step.status)) outputs[name] = step.output;
    return outputs;
  }
}

