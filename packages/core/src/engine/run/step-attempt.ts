import type { StepRequest } from '../../model/step-request';
import type { CancellationScope } from './cancellation-scope';
import type { RunCore } from './run-core';
import { RunStepChannel } from './run-step-channel';
import type { Spawner } from './spawn';
import { parentOutputs } from './step-inputs';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';

/**
 * Hands one attempt to where it runs: the executor, or a child run for a pipeline template.
 * What it throws synchronously is the attempt's failure too: callers treat both alike.
 */
export const startAttempt = (
  core: RunCore,
  status: StepStatusWriter,
  spawner: Spawner,
  state: StepState,
  attempt: number,
  scope: CancellationScope,
  queue: string,
  /** A clock reading from the caller's synchronous stretch, for the start (see `StepStatusWriter.emit`). */
  at = Date.now(),
): Promise<unknown> => {
  const { node } = state;
  const template = node.body.kind === 'template' ? node.body.template : undefined;
  const request: StepRequest = {
    runId: core.id,
    pipeline: core.pipelineInfo,
    step: state.name,
    template: template && { kind: template.kind, name: template.name, version: template.version },
    params: state.params,
    parents: parentOutputs(core, state),
    attempt,
    queue,
  };
  state.request = request;
  state.result.attempts = attempt;
  // A remote attempt stays `queued` until an agent takes it (`channel.started`).
  if (core.executor.reportsStart !== true || template?.kind === 'pipeline') status.markStarted(state, undefined, at);
  if (template?.kind === 'pipeline') return spawner.runChildPipeline(state, template.target, scope.signal);
  return core.executor.execute(request, new RunStepChannel(core.host, state, scope));
};
