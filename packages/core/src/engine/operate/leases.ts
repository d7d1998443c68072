import { hostname } from 'node:os';
import { newId } from '../../model/ids';
import { EngineError } from '../../errors/errors';
import type { Lease, LeaseHolder, RunStore } from '../../ports/run-store';

/** This engine as a lease holder: unique owner, this host, this process. */
export const newLeaseHolder = (): LeaseHolder => {
  const host = hostname();
  return { owner: `${host}:${process.pid}:${newId(8)}`, host, pid: process.pid };
};

/** `false` only when the process is known to be gone; a process of another user (EPERM) is alive. */
export const isProcessAlive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether nobody drives the run under this lease any more: there is none, it expired, or it
 * was taken on this host by a process that has died (free at once, without waiting out the TTL).
 */
export const isLeaseDead = (lease: Lease | undefined, now = Date.now()): boolean =>
  lease === undefined || lease.expiresAt <= now || (lease.host === hostname() && !isProcessAlive(lease.pid));

const describeHolder = (lease: Lease): string => `${lease.owner} (pid ${lease.pid} on ${lease.host || 'an unknown host'})`;

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | undefined)?.then === 'function';

/** Throws `RUN_LOCKED` unless `lease` is `holder`'s. */
const assertHeld = (runId: string, lease: Lease, holder: LeaseHolder): void => {
  if (lease.owner === holder.owner) return;
  const retryInMs = Math.max(0, lease.expiresAt - Date.now());
  throw new EngineError(
    'RUN_LOCKED',
    `Run '${runId}' is being driven by ${describeHolder(lease)}; its lease expires in ${Math.ceil(retryInMs / 1000)} s unless renewed ` +
      '(at once if that process dies on this host).',
    { runId, holder: { owner: lease.owner, host: lease.host, pid: lease.pid, expiresAt: lease.expiresAt }, retryInMs },
  );
};

/**
 * Takes the run's lease for `holder`, or throws `RUN_LOCKED` naming the holder and the time
 * its lease has left. A lease held on this host by a dead process is taken over at once.
 * Synchronous on a synchronous store; a promise on an asynchronous one.
 */
export const claimRun = (store: RunStore, runId: string, holder: LeaseHolder, ttlMs: number): void | Promise<void> => {
  const first = store.acquireLease(runId, holder, ttlMs);
  if (isPromise(first)) return claimAsync(store, runId, holder, ttlMs, first);
  const lease = first.owner !== holder.owner && isLeaseDead(first) ? store.acquireLease(runId, holder, ttlMs, first.owner) : first;
  if (isPromise(lease)) return lease.then((taken) => assertHeld(runId, taken, holder));
  assertHeld(runId, lease, holder);
  return undefined;
};

const claimAsync = async (store: RunStore, runId: string, holder: LeaseHolder, ttlMs: number, first: Promise<Lease>): Promise<void> => {
  let lease = await first;
  if (lease.owner !== holder.owner && isLeaseDead(lease)) lease = await store.acquireLease(runId, holder, ttlMs, lease.owner);
  assertHeld(runId, lease, holder);
};
