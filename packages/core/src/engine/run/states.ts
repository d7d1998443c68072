import type { PipelineGraph } from '../../graph/pipeline-graph';
import type { StepNode } from '../../graph/step-node';
import type { StepResult } from '../../model/results';
import { isSuccess } from '../../model/results';
import { pendingResult } from './step-state';
import type { StepState } from './step-state';

const NONE: readonly StepState[] = [];

/** A pending step's state, entered in `states`. A spawned step waits for no parent: its caller starts it. */
export const addState = (states: Map<string, StepState>, node: StepNode): StepState => {
  const state: StepState = {
    name: node.name,
    node,
    result: pendingResult(),
    parents: NONE,
    children: NONE,
    waitingParents: node.spawnedBy === undefined ? node.parents.length : 0,
    params: {},
    scope: undefined,
    holdsSlot: false,
    saved: false,
    callbackError: undefined,
    request: undefined,
    waiters: undefined,
  };
  states.set(node.name, state);
  return state;
};

/** Resolves each static step's parents and children to their states, once. */
export const linkStates = (states: ReadonlyMap<string, StepState>, graph: PipelineGraph): void => {
  for (const state of states.values()) {
    state.parents = state.node.parents.map((name) => states.get(name) as StepState);
    const children = graph.childrenOf(state.name);
    if (children.length > 0) state.children = children.map((name) => states.get(name) as StepState);
  }
};

/**
 * Keeps what an interrupted run finished: succeeded and cached steps with their outputs, and
 * steps a callback chose to skip. Everything else runs again. Returns the states kept.
 */
export const restoreStates = (states: ReadonlyMap<string, StepState>, restored: Readonly<Record<string, StepResult>>): StepState[] => {
  const kept: StepState[] = [];
  for (const state of states.values()) {
    const previous = restored[state.name];
    if (previous === undefined) continue;
    if (!(isSuccess(previous.status) || (previous.status === 'skipped' && previous.error?.code === 'SKIPPED_BY_CALLBACK'))) continue;
    Object.assign(state.result, previous, { metrics: { ...previous.metrics }, logs: [...previous.logs], artifacts: { ...previous.artifacts } });
    kept.push(state);
    if (isSuccess(previous.status)) for (const child of state.children) child.waitingParents--;
  }
  return kept;
};
