import type { Params } from '../../model/options';
import type { StepRequest } from '../../model/step-request';
import { toErrorInfo } from '../error-info';
import type { ErrorInfo, StepStatus } from '../../model/results';
import { isTerminal } from '../../model/results';
import type { Outcome } from './attempts';
import { isAbortError, runAttempts } from './attempts';
import type { CancellationScope } from './cancellation-scope';
import { hasAfterCallbacks, hasBeforeCallbacks, runAfterCallbacks, runBeforeCallbacks } from './hooks';
import type { RunCore } from './run-core';
import { RunStepChannel } from './run-step-channel';
import type { Slots } from './slots';
import type { Spawner } from './spawn';
import { cacheKeyOf, parentOutputs, refreshesCache, resolveParams, unserializable } from './step-inputs';
import type { StepState } from './step-state';
import { writableArtifacts } from './step-state';
import type { StepStatusWriter } from './step-status';

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | undefined)?.then === 'function';

/**
 * One step, start to end: created → params → before-callbacks → cache → queued → slot →
 * attempts → after-callbacks → recorded. Each `isTerminal` check after an await asks one thing:
 * did run control end this step meanwhile (stopped, skipped)? Then its late work is dropped.
 */
export class StepLifecycle {
  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
    private readonly slots: Slots,
    private readonly spawner: Spawner,
  ) {}

  /** Runs the step; always ends it and gives its slot back. */
  async run(state: StepState): Promise<void> {
    try {
      await this.runStep(state);
    } catch (error) {
      // Defensive: a bug in the engine must not leave a step hanging or error `events$`.
      this.status.finish(state, 'failed', undefined, toErrorInfo(error));
    } finally {
      if (state.holdsSlot) {
        state.holdsSlot = false;
        this.slots.release();
      }
    }
  }

  /** The attempt has started, here or on `agent`; a second start on another agent is reported again. */
  markStarted(state: StepState, agent: string | undefined): void {
    const { result } = state;
    if (isTerminal(result.status)) return;
    result.startedAt ??= Date.now();
    const event = agent === undefined ? ({ type: 'step.started' } as const) : ({ type: 'step.started', agent } as const);
    if (result.status === 'running') this.status.emit(state, event);
    else this.status.transition(state, 'running', event);
  }

  private async runStep(state: StepState): Promise<void> {
    const { core, status } = this;
    const { node } = state;
    status.emit(state, { type: 'step.created', ...(node.spawnedBy !== undefined ? { spawnedBy: node.spawnedBy } : {}) });
    try {
      const params: Params | Promise<Params> = resolveParams(core, state);
      state.params = isPromise(params) ? await params : params;
    } catch (error) {
      return status.finish(state, 'failed', undefined, toErrorInfo(error));
    }
    if (isTerminal(state.result.status)) return;

    if (hasBeforeCallbacks(core, state)) {
      const verdict = await runBeforeCallbacks(core, state);
      if (isTerminal(state.result.status)) return;
      if (typeof verdict === 'string') return status.skip(state, verdict, 'SKIPPED_BY_CALLBACK');
      if (verdict !== undefined) return status.finish(state, 'failed', undefined, toErrorInfo(verdict));
    }

    const cacheKey = node.options.cache ? await cacheKeyOf(core, state) : undefined;
    if (isTerminal(state.result.status)) return;
    if (typeof cacheKey === 'object') return status.finish(state, 'failed', undefined, toErrorInfo(cacheKey));
    if (cacheKey !== undefined && !refreshesCache(core, state.name)) {
      const found = core.store.getCache(cacheKey);
      const hit = isPromise(found) ? await found : found;
      if (isTerminal(state.result.status)) return;
      if (hit) {
        Object.assign(writableArtifacts(state.result), hit.artifacts);
        return this.complete(state, 'cached', hit.output, undefined);
      }
    }

    const queue = node.options.queue ?? 'default';
    status.transition(state, 'queued', { type: 'step.queued', queue });
    // onStatusChange hears of `queued` once committed; a throw there must stop the step before it runs.
    if (node.options.onStatusChange !== undefined) await core.journal.settled();
    const wait = this.slots.acquire();
    if (wait) await wait;
    state.holdsSlot = true;
    if (isTerminal(state.result.status)) return;
    if (state.callbackError) return status.finish(state, 'failed', undefined, toErrorInfo(state.callbackError));

    const outcome = await runAttempts(core, state, status, (attempt, scope) => this.attempt(state, attempt, scope, queue));
    if (isTerminal(state.result.status)) return; // ended meanwhile: a late result is dropped
    if (state.holdsSlot) {
      state.holdsSlot = false;
      this.slots.release();
    }
    const checked = this.check(state, outcome);
    if (checked.ok && cacheKey !== undefined) {
      core.store.putCache({ key: cacheKey, pipeline: core.definition.name, step: state.name, output: checked.value, artifacts: { ...state.result.artifacts }, createdAt: Date.now() });
    }
    if (checked.ok) return this.complete(state, 'succeeded', checked.value, undefined);
    return this.complete(state, isAbortError(checked.error) ? 'aborted' : 'failed', undefined, toErrorInfo(checked.error));
  }

  /** A success stands only if no status callback failed and the output can be kept as JSON. */
  private check(state: StepState, outcome: Outcome): Outcome {
    if (!outcome.ok) return outcome;
    if (state.callbackError) return { ok: false, error: state.callbackError };
    if (this.core.store.jsonOutputs === false) return outcome;
    const problem = unserializable(state, outcome.value);
    return problem === undefined ? outcome : { ok: false, error: problem };
  }

  /** One attempt: through the executor, or as a child run for a pipeline template. */
  private attempt(state: StepState, attempt: number, scope: CancellationScope, queue: string): Promise<unknown> {
    const { core } = this;
    const { node } = state;
    const template = node.body.kind === 'template' ? node.body.template : undefined;
    const request: StepRequest = {
      runId: core.id,
      pipeline: core.pipelineInfo,
      step: state.name,
      template: template && { kind: template.kind, name: template.name, version: template.version },
      params: state.params,
      parents: parentOutputs(state),
      attempt,
      queue,
    };
    state.request = request;
    state.result.attempts = attempt;
    // A remote attempt stays `queued` until an agent takes it (`channel.started`).
    if (core.executor.reportsStart !== true || template?.kind === 'pipeline') this.markStarted(state, undefined);
    if (template?.kind === 'pipeline') return this.spawner.runChildPipeline(state, template.target, scope.signal);
    return core.executor.execute(request, new RunStepChannel(core.host, state, scope.signal));
  }

  /** Runs after-callbacks, then records the step's end; synchronous when there are none. */
  private complete(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined): Promise<void> | undefined {
    if (!hasAfterCallbacks(this.core, state)) {
      this.status.finish(state, status, output, error);
      return undefined; // no promise for the common case: one fewer per step
    }
    return this.completeWithCallbacks(state, status, output, error);
  }

  private async completeWithCallbacks(state: StepState, status: StepStatus, output: unknown, error: ErrorInfo | undefined): Promise<void> {
    // One end time for every after-callback and the recorded result: they all see the same result.
    const endedAt = Date.now();
    const verdict = await runAfterCallbacks(this.core, state, status, output, error, endedAt);
    if (verdict !== undefined) this.status.finish(state, verdict.status, output, verdict.error, endedAt);
  }
}
