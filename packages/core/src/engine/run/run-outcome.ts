import type { PipelineEvent } from '../../model/events';
import { putOwn } from '../../model/own-record';
import type { RunResult, RunStatus, StepResult } from '../../model/results';
import type { RunCore } from './run-core';

/** How a run ended: its status, the result `run.result` settles with, and the event that reports it. */
export interface RunOutcome {
  readonly status: RunStatus;
  readonly result: RunResult;
  readonly event: PipelineEvent;
}

/** The outcome of a run whose steps have all ended (`startedAt`: this incarnation's start). */
export const runOutcome = (core: RunCore, startedAt: number): RunOutcome => {
  const status: RunStatus = core.interruption === 'RUN_STOPPED' ? 'aborted' : core.runError !== undefined ? 'failed' : 'succeeded';
  const endedAt = Date.now();
  const elapsedMs = endedAt - startedAt;
  const steps: Record<string, StepResult> = {};
  for (const state of core.states.values()) putOwn(steps, state.name, state.result);
  const result: RunResult = { runId: core.id, pipeline: core.definition.name, version: core.definition.version, status, steps, elapsedMs, error: core.runError };
  const type = status === 'succeeded' ? 'run.succeeded' : status === 'failed' ? 'run.failed' : 'run.aborted';
  const event: PipelineEvent = { type, runId: core.id, at: endedAt, status, elapsedMs, ...(core.runError ? { error: core.runError } : {}) };
  return { status, result, event };
};
