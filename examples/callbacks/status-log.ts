import type { StepContext, StepStatus } from '@pipewright/core';

/**
 * ClearML's `status_change_callback`: records every status change of the steps that use it,
 * per run, as `previous → status`. One shared instance serves every run; runs never mix.
 */
export class StatusLog {
  private readonly byRun = new Map<string, Map<string, string[]>>();

  /** Pass as a step's `onStatusChange` option. */
  readonly onStatusChange = (ctx: StepContext, status: StepStatus, previous: StepStatus): void => {
    let steps = this.byRun.get(ctx.runId);
    if (steps === undefined) this.byRun.set(ctx.runId, (steps = new Map()));
    const history = steps.get(ctx.step) ?? [previous];
    history.push(status);
    steps.set(ctx.step, history);
  };

  /** Each logged step's statuses in order, from its first (`pending`) to its last. */
  historyOf(runId: string): Record<string, string[]> {
    return Object.fromEntries(this.byRun.get(runId) ?? []);
  }

  /** Forgets a run once it has been reported. */
  forget(runId: string): void {
    this.byRun.delete(runId);
  }
}

/** The status log the example pipeline's steps report to. */
export const statusLog = new StatusLog();
