import { isSuccess, isTerminal } from '../../model/results';
import type { RunControl } from './run-control';
import type { RunCore } from './run-core';
import type { StepState } from './step-state';
import { childrenOf } from './states';
import type { StepStatusWriter } from './step-status';

/**
 * Moves the DAG on. When a step ends it decides, in the same turn, which children became ready
 * and which are skipped; the ready ones flow into their lifecycles only once the parent's end
 * is committed (a child never runs on a success a crash could take back). The slot gate inside
 * each lifecycle bounds how many run: not `mergeMap`'s bound, which must be held for a whole
 * step, while a step awaiting `ctx.spawn` hands its slot back (and whose inner-subscription
 * bookkeeping is O(active) per completion: quadratic on a 100 000-wide fan-out).
 */
export class Scheduler {
  private start: ((state: StepState) => void) | undefined;

  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
    private readonly control: RunControl,
  ) {}

  /** Starts feeding ready steps to `run` (a step's lifecycle). */
  begin(run: (state: StepState) => void): void {
    this.start = run;
  }

  /**
   * Starts steps once what is journaled so far is committed, unless run control ended them
   * meanwhile (it skips what may no longer start, and keeps a running caller's spawns).
   */
  startAfterCommit(states: readonly StepState[]): void {
    if (states.length === 0) return;
    this.core.journal.afterCommit(() => {
      const start = this.start;
      if (start) for (const state of states) if (!isTerminal(state.result.status)) start(state);
    });
  }

  /** A step ended: wake its spawn callers, fail or continue the run, ready or skip its children. */
  stepEnded(ended: StepState): void {
    const waiters = ended.waiters;
    ended.waiters = undefined;
    if (waiters) this.core.journal.afterCommit(() => waiters.forEach((wake) => wake(ended)));

    const { status } = ended.result;
    const { options, spawnedBy } = ended.node;
    const failed = status === 'failed' || status === 'aborted';
    // A spawned step's failure belongs to its caller (who may catch it), not to the run.
    if (failed && !options.continueOnFail && spawnedBy === undefined && this.core.phase === 'running') this.control.failRun(ended);

    const passes = isSuccess(status) || (failed && options.continueOnFail === true && options.skipChildrenOnFail === false);
    let toSkip: StepState[] | undefined;
    let ready: StepState[] | undefined;
    const { stateAt } = this.core;
    for (const child of childrenOf(this.core, ended)) {
      const state = stateAt[child] as StepState;
      if (isTerminal(state.result.status)) continue;
      if (!passes) (toSkip ??= []).push(state);
      else if (--state.waitingParents === 0) {
        if (this.core.phase === 'running') (ready ??= []).push(state);
        else (toSkip ??= []).push(state);
      }
    }
    if (ready) this.startAfterCommit(ready);
    if (toSkip) this.status.skipDescendants(toSkip, ended.name);
    this.control.maybeEnd();
  }

  end(): void {
    this.start = undefined;
  }
}
