import { EngineError } from '../../errors/errors';
import type { RunStore, RunSummary } from '../../ports/run-store';
import type { RunHandle } from '../run-handle';
import { isLeaseDead } from './leases';

/** Options of `engine.recover()`. */
export interface RecoverOptions {
  /** Resume runs whose pipeline changed since they began. */
  readonly force?: boolean;
  /** Told of each interrupted run that could not be resumed (pipeline not loaded, changed, taken by another process). */
  readonly onSkip?: (runId: string, error: unknown) => void;
}

/** What `recover()` needs of its engine. */
export interface RecoverContext {
  readonly store: RunStore;
  isLive(runId: string): boolean;
  /** Synchronous on a synchronous store; on an asynchronous one, once the run's record is durable again. */
  resume(runId: string, force: boolean): RunHandle | Promise<RunHandle>;
}

/**
 * Stored runs left `running` by a driver that is gone: no lease, an expired one, or one held on
 * this host by a dead process. Newest first. Throws `NOT_SUPPORTED` for a store without leases.
 */
export const findInterrupted = async (store: RunStore, isLive: (runId: string) => boolean): Promise<RunSummary[]> => {
  if (store.readLease === undefined) {
    throw new EngineError('NOT_SUPPORTED', 'This store keeps no leases, so it cannot tell which runs were interrupted.');
  }
  const interrupted: RunSummary[] = [];
  for (const summary of await store.listRuns({ status: 'running' })) {
    if (!isLive(summary.runId) && isLeaseDead(await store.readLease(summary.runId))) interrupted.push(summary);
  }
  return interrupted;
};

/**
 * `engine.recover()`: resumes every stored `running` run whose driver is gone (no lease, an
 * expired one, or one held on this host by a dead process) and returns their handles. A run that
 * another process recovers first is skipped (`RUN_LOCKED`), as is one whose pipeline is not loaded.
 */
export const recoverRuns = async (context: RecoverContext, options: RecoverOptions = {}): Promise<RunHandle[]> => {
  const handles: RunHandle[] = [];
  for (const summary of await findInterrupted(context.store, context.isLive)) {
    try {
      handles.push(await context.resume(summary.runId, options.force === true));
    } catch (error) {
      options.onSkip?.(summary.runId, error);
    }
  }
  return handles;
};
