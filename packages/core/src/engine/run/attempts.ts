import pRetry from 'p-retry';
import { StepError } from '../../errors/errors';
import type { StepErrorCode } from '../../errors/errors';
import { toErrorInfo } from '../error-info';
import { normalizeRetry } from '../retry-policy';
import type { CancellationScope } from './cancellation-scope';
import { callbackFailed } from './callback-failed';
import type { RunCore } from './run-core';
import { callbackContext } from './step-inputs';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';

/** How a step's attempts ended. Explicit, so that a step throwing `undefined` still fails. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const ABORT_CODES: ReadonlySet<string> = new Set<StepErrorCode>(['STEP_TIMEOUT', 'RUN_TIMEOUT', 'RUN_STOPPED', 'ABORTED_ON_FAILURE']);

/** Timeouts, stops and aborts on failure: the step ends `aborted`, and they are not retried unless a predicate says so. */
export const isAbortError = (error: unknown): error is StepError => error instanceof StepError && ABORT_CODES.has(error.code);

/** Carries a step's own error through p-retry, which would otherwise refuse to retry `TypeError`s. */
class AttemptFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

const unwrap = (error: unknown): unknown => (error instanceof AttemptFailure ? error.original : error);

/** A run-level abort (stop, run timeout, abort on failure), restated for one step. */
export const abortOf = (step: string, reason: unknown): StepError =>
  reason instanceof StepError ? new StepError(reason.code, step, reason.message) : new StepError('RUN_STOPPED', step, String(reason));

/** One attempt, given its number and the signal it must honour. */
export type RunAttempt = (attempt: number, scope: CancellationScope) => Promise<unknown>;

/**
 * All attempts of a step: retries with backoff (p-retry), a time limit per attempt, and the
 * step's cancellation scope, which ends them at once (a late result is dropped).
 */
export const runAttempts = (core: RunCore, state: StepState, status: StepStatusWriter, runAttempt: RunAttempt): Promise<Outcome> => {
  const retry = normalizeRetry(state.node.options.retry);
  const scope = core.scope.child();
  state.scope = scope;
  const body = state.node.body;
  // A nested pipeline honours its signal and ends its own steps first: its step ends when it has.
  const cooperative = body.kind === 'template' && body.template.kind === 'pipeline';
  return new Promise<Outcome>((resolve) => {
    if (!cooperative || scope.cancelled) scope.onCancel((reason) => resolve({ ok: false, error: abortOf(state.name, reason) }));
    if (scope.cancelled) return;
    const attempt = (n: number): Promise<unknown> => timed(state, scope, n, runAttempt);
    if (retry === undefined) {
      attempt(1).then(
        (value) => resolve({ ok: true, value }),
        (error: unknown) => resolve({ ok: false, error }),
      );
      return;
    }
    pRetry(
      async (n) => {
        if (scope.cancelled) throw new pRetry.AbortError(new AttemptFailure(scope.reason));
        try {
          return await attempt(n);
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
          if (scope.cancelled) throw failure;
          if (retry.shouldRetry) {
            let again: boolean;
            try {
              again = await retry.shouldRetry(error as Error, failure.attemptNumber, callbackContext(core, state));
            } catch (predicateError) {
              throw new AttemptFailure(callbackFailed(state.name, 'The retry predicate', predicateError));
            }
            if (!again) throw failure;
          } else if (isAbortError(error)) {
            throw failure;
          }
          // Out of retries: reject with this attempt's error (p-retry would pick the most frequent one).
          if (Number.isFinite(retry.retries) && failure.retriesLeft <= 0) throw failure;
          if (!scope.cancelled) status.transition(state, 'retrying', { type: 'step.retrying', error: toErrorInfo(error) });
        },
      },
    ).then(
      (value) => resolve({ ok: true, value }),
      (error: unknown) => resolve({ ok: false, error: unwrap(error) }),
    );
  });
};

/** One attempt in its own scope, bounded by the step's `timeoutMs`. */
const timed = (state: StepState, stepScope: CancellationScope, attempt: number, runAttempt: RunAttempt): Promise<unknown> => {
  const timeoutMs = state.node.options.timeoutMs;
  // Without a time limit, nothing can cancel an attempt but its step: it shares the step's scope.
  if (timeoutMs === undefined) return runAttempt(attempt, stepScope);
  const scope = stepScope.child(true);
  const work = runAttempt(attempt, scope);
  return new Promise((resolve, reject) => {
    // Read at call time, so fake timers govern it.
    const timer = setTimeout(() => {
      const error = new StepError('STEP_TIMEOUT', state.name, `Step '${state.name}' exceeded its time limit of ${timeoutMs} ms (attempt ${attempt}).`);
      scope.cancel(error);
      reject(error);
    }, timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        scope.dispose();
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        scope.dispose();
        reject(error);
      },
    );
  });
};
