import { StepError } from '../../errors/errors';
import type { StepErrorCode } from '../../errors/errors';
import { toErrorInfo } from '../error-info';
import { isTerminal } from '../../model/results';
import { storeFailure } from './journal';
import type { RunCore } from './run-core';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';

/**
 * How a run stops short: `stop()` and the run's signal (it ends `aborted`), its time limit and
 * a failed step (it ends `failed`), a store that cannot commit. Owns `phase`, `runError` and
 * `interruption`; ends the run when every step has ended.
 */
export class RunControl {
  private runTimer: NodeJS.Timeout | undefined;
  private removeSignalListener: (() => void) | undefined;

  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
    /** Every step has ended: record and publish the run's end. */
    private readonly end: () => void,
  ) {}

  /**
   * Arms the run's signal and time limit as the run begins; `false` when the signal has already
   * fired (the run is then being stopped). Timers are read at call time, so fake clocks govern them.
   */
  armLimits(): boolean {
    const { options, definition } = this.core;
    const signal = options.signal;
    if (signal) {
      const onAbort = (): void => {
        this.interrupt('RUN_STOPPED', `Run stopped: ${signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'signal aborted')}`);
      };
      if (signal.aborted) {
        onAbort();
        return false;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.removeSignalListener = () => signal.removeEventListener('abort', onAbort);
    }
    const timeoutMs = definition.timeoutMs;
    if (timeoutMs !== undefined) {
      this.runTimer = setTimeout(() => this.interrupt('RUN_TIMEOUT', `Run exceeded its time limit of ${timeoutMs} ms`), timeoutMs);
    }
    return true;
  }

  /** Lets go of the signal and the timer once the run has ended. */
  disarmLimits(): void {
    if (this.runTimer) clearTimeout(this.runTimer);
    this.removeSignalListener?.();
  }

  /** Stop or run timeout: abort what runs, skip the rest. */
  interrupt(code: 'RUN_STOPPED' | 'RUN_TIMEOUT', message: string): void {
    const { core } = this;
    if (core.phase === 'ended' || core.phase === 'stopping') return;
    const pending = core.phase === 'pending';
    core.phase = 'stopping';
    core.interruption = code;
    core.runError = { message, code, name: 'StepError' };
    if (pending) return; // the run's start will see the stop and end without starting steps
    this.abortRunning(code, message);
    this.skipNotStarted(message);
    this.maybeEnd();
  }

  /** A step failed (after its retries) and nothing lets the run go on. */
  failRun(failed: StepState): void {
    const { core } = this;
    core.phase = 'failing';
    const error = failed.result.error;
    core.runError = {
      message: `Step '${failed.name}' ${failed.result.status}: ${error?.message ?? 'unknown error'}`,
      ...(error?.code !== undefined ? { code: error.code } : {}),
      name: error?.name ?? 'Error',
    };
    if (core.definition.abortOnFailure) {
      this.abortRunning('ABORTED_ON_FAILURE', `Aborted because step '${failed.name}' failed and the pipeline aborts on failure`);
      this.skipNotStarted(`step '${failed.name}' failed`);
    } else {
      this.skipNotStarted(`step '${failed.name}' failed`, true);
    }
  }

  /**
   * The store could not commit: no step may start on state that was not saved. Aborts what runs
   * and ends the run `failed` with `STORE_FAILED` at once (its end cannot be journaled either).
   */
  storeFailed(cause: unknown): void {
    const { core } = this;
    if (core.phase === 'ended') return;
    const error = storeFailure(cause);
    core.runError = toErrorInfo(error);
    core.phase = 'stopping';
    core.scope.cancel(new StepError('RUN_STOPPED', core.definition.name, error.message));
    this.end();
  }

  /** Ends the run once every step has. */
  maybeEnd(): void {
    const { core } = this;
    if (core.phase === 'ended' || core.phase === 'pending' || core.ended < core.states.size) return;
    this.end();
  }

  /** Skips every step that has not started, except steps spawned by a step still running. */
  skipNotStarted(reason: string, keepSpawned = false): void {
    for (const state of this.core.states.values()) {
      const status = state.result.status;
      // Handed to the executor (it has a scope or a request), even if still queued on an agent: it is aborted, not skipped.
      if (isTerminal(status) || status === 'running' || status === 'retrying' || state.scope !== undefined || state.request !== undefined) continue;
      if (keepSpawned && state.node.spawnedBy !== undefined) {
        const spawner = this.core.states.get(state.node.spawnedBy);
        if (spawner && !isTerminal(spawner.result.status)) continue;
      }
      this.status.skip(state, reason);
    }
  }

  private abortRunning(code: StepErrorCode, message: string): void {
    // One cancel for the run's tree: every step and attempt below it ends, each with its own name.
    this.core.scope.cancel(new StepError(code, this.core.definition.name, message));
  }
}
