import type { PreExecuteResult } from '../../model/options';
import { StepError } from '../../errors/errors';
import { isPlainObject } from '../../graph/reference';
import type { StepHook } from '../../metadata/pipeline-definition';
import { toErrorInfo } from '../error-info';
import { callbackFailed } from './callback-failed';
import type { ErrorInfo, StepResult, StepStatus } from '../../model/results';
import { isTerminal } from '../../model/results';
import type { StepContext } from '../../model/step-context';
import type { RunCore } from './run-core';
import { callbackContext } from './step-inputs';
import type { StepState } from './step-state';

/** Calls a user callback; what it throws comes back as a `StepError` rather than escaping. */
const guard = async (state: StepState, label: string, callback: () => unknown): Promise<unknown> => {
  try {
    return await callback();
  } catch (error) {
    return callbackFailed(state.name, label, error);
  }
};

const callHook = (core: RunCore, hook: StepHook, ctx: StepContext, result?: StepResult): unknown => {
  if (hook.kind === 'function') return hook.fn(ctx, result);
  return (core.instance as Record<string, (ctx: StepContext, result?: StepResult) => unknown>)[hook.method]?.(ctx, result);
};

/** Whether a step has any before-callback (most have none: they skip the await). */
export const hasBeforeCallbacks = (core: RunCore, state: StepState): boolean =>
  core.options.onStepCreated !== undefined || core.definition.beforeStep.length > 0 || state.node.options.preExecute !== undefined;

/** Whether a step has any after-callback. */
export const hasAfterCallbacks = (core: RunCore, state: StepState): boolean =>
  state.node.options.postExecute !== undefined || core.definition.afterStep.length > 0 || core.options.onStepCompleted !== undefined;

/**
 * Runs onStepCreated, @BeforeStep hooks and preExecute, in that order. Resolves with a skip
 * reason (a string), the failure of a callback, or `undefined` to go on; preExecute's overrides
 * are merged into the step's params.
 */
export const runBeforeCallbacks = async (core: RunCore, state: StepState): Promise<string | StepError | undefined> => {
  const { options } = core;
  const { node } = state;
  if (options.onStepCreated) {
    const verdict = await guard(state, 'onStepCreated', () => options.onStepCreated?.(callbackContext(core, state)));
    if (verdict instanceof StepError) return verdict;
    if (verdict === false) return 'onStepCreated returned false';
  }
  for (const hook of core.definition.beforeStep) {
    const label = hook.kind === 'method' ? `@BeforeStep ${hook.method}()` : 'beforeStep hook';
    const verdict = await guard(state, label, () => callHook(core, hook, callbackContext(core, state)));
    if (verdict instanceof StepError) return verdict;
    if (verdict === false) return `${label} returned false`;
  }
  if (node.options.preExecute) {
    const verdict = (await guard(state, 'preExecute', () => node.options.preExecute?.(callbackContext(core, state)))) as PreExecuteResult | StepError;
    if (verdict instanceof StepError) return verdict;
    if (verdict === false) return 'preExecute returned false';
    if (isPlainObject(verdict)) state.params = { ...state.params, ...verdict };
  }
  return undefined;
};

/** What the after-callbacks decided: the status to record and its error. */
export interface Verdict {
  readonly status: StepStatus;
  readonly error: ErrorInfo | undefined;
}

/**
 * postExecute, @AfterStep hooks and onStepCompleted, at the same moment, each seeing the result
 * as it will be recorded (one `endedAt` for all). The first that throws turns a success into
 * `CALLBACK_FAILED`. Resolves with `undefined` if the step ended meanwhile (stopped).
 */
export const runAfterCallbacks = async (
  core: RunCore,
  state: StepState,
  status: StepStatus,
  output: unknown,
  error: ErrorInfo | undefined,
  endedAt: number,
): Promise<Verdict | undefined> => {
  const { node } = state;
  let verdict: Verdict = { status, error };
  const tentative = (): StepResult => ({ ...state.result, status: verdict.status, output, error: verdict.error, endedAt });
  const after: Array<[string, () => unknown]> = [];
  if (node.options.postExecute) after.push(['postExecute', () => node.options.postExecute?.(callbackContext(core, state), tentative())]);
  for (const hook of core.definition.afterStep) {
    const label = hook.kind === 'method' ? `@AfterStep ${hook.method}()` : 'afterStep hook';
    after.push([label, () => callHook(core, hook, callbackContext(core, state), tentative())]);
  }
  if (core.options.onStepCompleted) after.push(['onStepCompleted', () => core.options.onStepCompleted?.(callbackContext(core, state), tentative())]);
  for (const [label, callback] of after) {
    const thrown = await guard(state, label, callback);
    if (isTerminal(state.result.status)) return undefined;
    if (thrown instanceof StepError && verdict.error === undefined) verdict = { status: 'failed', error: toErrorInfo(thrown) };
  }
  return verdict;
};
