import { EngineError } from '../../errors/errors';
import type { LeaseHolder, RunStore } from '../../ports/run-store';
import { isTerminal } from '../../model/results';
import type { ErrorInfo } from '../../model/results';
import { claimRun, isLeaseDead } from './leases';
import type { LiveRun } from './live-runs';

/** What `stopRun()` needs of its engine. */
export interface StopContext {
  readonly store: RunStore;
  readonly holder: LeaseHolder;
  readonly leaseTtlMs: number;
  live(runId: string): LiveRun | undefined;
}

/**
 * `engine.stopRun(runId, reason)`. A run this engine drives is stopped at once (resolves when it
 * has ended). A run another live process drives gets a stop request in the store, which that
 * engine picks up within its poll interval (resolves once recorded). A run whose driver is gone
 * is marked `aborted` here: its unfinished steps `aborted` with `RUN_STOPPED`, and a
 * `run.aborted` event closes its journal. A finished run is left as it is.
 * Throws `RUN_NOT_FOUND`, or `NOT_SUPPORTED` for a store that cannot record requests.
 */
export const stopRun = async (context: StopContext, runId: string, reason: string): Promise<void> => {
  const live = context.live(runId);
  if (live !== undefined) {
    await live.handle.stop(reason);
    return;
  }
  const { store } = context;
  const stored = await store.getRun(runId);
  if (stored === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
  if (stored.run.status !== 'running') return;
  if (!isLeaseDead(await store.readLease?.(runId))) {
    if (store.requestStop === undefined) {
      throw new EngineError('NOT_SUPPORTED', `Run '${runId}' is driven by another engine, and this store cannot carry a stop request to it.`, { runId });
    }
    await store.requestStop(runId, { reason, requestedAt: Date.now() });
    return;
  }
  // Nobody drives it: take the lease (so no resume starts meanwhile) and end it here.
  await claimRun(store, runId, context.holder, context.leaseTtlMs);
  try {
    const now = Date.now();
    const error: ErrorInfo = { message: `Run stopped: ${reason}`, code: 'RUN_STOPPED', name: 'StepError' };
    for (const [step, result] of Object.entries(stored.steps)) {
      if (!isTerminal(result.status)) store.saveStep(runId, step, { ...result, status: 'aborted', error, endedAt: now });
    }
    store.endRun(runId, 'aborted', now, error);
    store.appendEvent?.({ type: 'run.aborted', runId, at: now, status: 'aborted', elapsedMs: now - stored.run.startedAt, error });
    await store.commit?.(runId);
  } finally {
    await store.releaseLease(runId, context.holder.owner);
  }
};
