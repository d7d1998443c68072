import type { Params } from '../../model/options';
import { StepError } from '../../errors/errors';
import type { StepRequest } from '../../model/step-request';
import { createStepContext } from '../../adapters/in-process.executor';
import { isPlainObject } from '../../graph/reference';
import { customCacheKey, defaultCacheKey } from '../cache-key';
import { resolveReferences } from '../resolve-references';
import type { ReferenceScope } from '../resolve-references';
import { isTerminal } from '../../model/results';
import { findUnserializable } from '../serializable';
import type { StepContext } from '../../model/step-context';
import { callbackFailed } from './callback-failed';
import type { RunCore } from './run-core';
import { RunStepChannel } from './run-step-channel';
import { NO_PARAMS } from './step-state';
import type { StepState } from './step-state';
import { parentsOf } from './states';


/** Parents' outputs by name, as the step's context and request carry them. */
export const parentOutputs = (core: RunCore, state: StepState): Record<string, unknown> => {
  // No prototype: in a literal, every distinct parent name would mint a V8 hidden class, one per step of a chain.
  const parents = Object.create(null) as Record<string, unknown>;
  const { stateAt } = core;
  for (const index of parentsOf(core, state)) {
    const parent = stateAt[index] as StepState;
    parents[parent.name] = parent.result.output;
  }
  return parents;
};

const referenceScope = (core: RunCore, state: StepState): ReferenceScope => ({
  step: state.name,
  pipelineParams: core.pipelineInfo.params,
  output: (step) => {
    const other = core.states.get(step);
    return other && isTerminal(other.result.status) ? { value: other.result.output } : undefined;
  },
  artifact: (step, name) => core.states.get(step)?.result.artifacts[name],
  id: (step) => `${core.id}.${step}`,
});

/** A context for callbacks and param functions: the last attempt's, or attempt 0 before any. */
export const callbackContext = (core: RunCore, state: StepState, params: Params = state.params): StepContext => {
  const request: StepRequest = state.request ?? {
    runId: core.id,
    pipeline: core.pipelineInfo,
    step: state.name,
    template: undefined,
    params,
    parents: parentOutputs(core, state),
    attempt: 0,
    queue: state.node.options.queue ?? 'default',
  };
  return createStepContext(request, new RunStepChannel(core.host, state, core.scope));
};

/** Parameters: template defaults → step params → run params for the step. Synchronous unless the step's params are a function. */
export const resolveParams = (core: RunCore, state: StepState): Params | Promise<Params> => {
  const { node } = state;
  const defaults = node.body.kind === 'template' ? node.body.template.defaults : undefined;
  const stepParams = node.options.params;
  const overrides = core.stepOverrides.size > 0 ? core.stepOverrides.get(state.name) : undefined;
  if (typeof stepParams === 'function') return resolveParamsFunction(core, state, stepParams, defaults ?? {}, overrides);
  if (stepParams === undefined && defaults === undefined && overrides === undefined) return NO_PARAMS;
  const own = stepParams === undefined ? undefined : (resolveReferences(stepParams, referenceScope(core, state)) as Params);
  return { ...defaults, ...own, ...overrides };
};

const resolveParamsFunction = async (
  core: RunCore,
  state: StepState,
  fn: (ctx: StepContext) => Params | Promise<Params>,
  defaults: Readonly<Params>,
  overrides: Params | undefined,
): Promise<Params> => {
  let own: Params;
  try {
    own = await fn(callbackContext(core, state, { ...defaults }));
  } catch (error) {
    throw callbackFailed(state.name, 'The params function', error);
  }
  if (!isPlainObject(own)) {
    throw new StepError('CALLBACK_FAILED', state.name, `The params function of step '${state.name}' must return an object.`);
  }
  return { ...defaults, ...own, ...overrides };
};

/** Whether this run ignores (and replaces) the step's cache entry. */
export const refreshesCache = (core: RunCore, step: string): boolean => {
  const refresh = core.options.refreshCache;
  return refresh === true || (Array.isArray(refresh) && refresh.includes(step));
};

/** The step's cache key, or the error its key function threw. */
export const cacheKeyOf = async (core: RunCore, state: StepState): Promise<string | StepError> => {
  const { node } = state;
  const cache = node.options.cache;
  if (typeof cache === 'object') {
    try {
      const key = await cache.key(callbackContext(core, state));
      if (typeof key !== 'string') throw new TypeError(`it returned ${typeof key}, not a string`);
      return customCacheKey(core.definition, node, key);
    } catch (error) {
      return callbackFailed(state.name, 'The cache key function', error);
    }
  }
  return defaultCacheKey(core.definition, node, state.params, parentOutputs(core, state));
};

/**
 * Outputs are kept as JSON wherever they are kept: anything JSON would drop or change fails the
 * step, on the memory store too, so what passes in tests passes in production.
 */
export const unserializable = (state: StepState, output: unknown): StepError | undefined => {
  const problem = findUnserializable(output);
  if (problem === undefined) return undefined;
  return new StepError(
    'NOT_SERIALIZABLE',
    state.name,
    `Step '${state.name}' returned an output that cannot be stored: ${problem.path} ${problem.reason}. ` +
      'Outputs must be JSON-serializable; put large or binary data in artifacts (ctx.artifacts.put).',
  );
};
