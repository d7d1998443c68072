import type { StepNode } from '../../graph/step-node';
import type { StepResult } from '../../model/results';
import { isSuccess } from '../../model/results';
import { NO_PARAMS, pendingResult } from './step-state';
import type { StepState } from './step-state';

import type { RunCore } from './run-core';
import type { RunStates } from './run-states';

const NONE: readonly number[] = Object.freeze([]);

/** A pending step's state, entered in `states`. A spawned step (index -1) waits for no parent: its caller starts it. */
export const addState = (states: RunStates, node: StepNode, index = -1): StepState => {
  const state: StepState = {
    name: node.name,
    node,
    result: pendingResult(),
    index,
    waitingParents: node.spawnedBy === undefined ? node.parents.length : 0,
    params: NO_PARAMS,
    scope: undefined,
    holdsSlot: false,
    inFlight: false,
    saved: false,
    callbackError: undefined,
    request: undefined,
    waiters: undefined,
  };
  states.add(state);
  return state;
};

/** The states of the run's static steps, in topological order, in `states` and `stateAt`. */
export const addStaticStates = (core: RunCore): void => {
  const { nodes } = core.layout;
  for (let index = 0; index < nodes.length; index++) addState(core.states, nodes[index] as StepNode, index);
};

/** Positions (in `core.stateAt`) of a step's children; a spawned step has none. */
export const childrenOf = (core: RunCore, state: StepState): readonly number[] => (state.index < 0 ? NONE : (core.layout.children[state.index] as readonly number[]));

/** Positions (in `core.stateAt`) of a step's parents; a spawned step has none. */
export const parentsOf = (core: RunCore, state: StepState): readonly number[] => (state.index < 0 ? NONE : (core.layout.parents[state.index] as readonly number[]));

/**
 * Keeps what an interrupted run finished: succeeded and cached steps with their outputs, and
 * steps a callback chose to skip. Everything else runs again. Returns the states kept.
 */
export const restoreStates = (core: RunCore, restored: Readonly<Record<string, StepResult>>): StepState[] => {
  const kept: StepState[] = [];
  for (const state of core.states.values()) {
    const previous = restored[state.name];
    if (previous === undefined) continue;
    if (!(isSuccess(previous.status) || (previous.status === 'skipped' && previous.error?.code === 'SKIPPED_BY_CALLBACK'))) continue;
    Object.assign(state.result, previous, { metrics: { ...previous.metrics }, logs: [...previous.logs], artifacts: { ...previous.artifacts } });
    kept.push(state);
    if (isSuccess(previous.status)) for (const child of childrenOf(core, state)) (core.stateAt[child] as StepState).waitingParents--;
  }
  return kept;
};
