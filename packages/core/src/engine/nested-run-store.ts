import type { RunStore } from '../ports/run-store';

/**
 * The store a nested pipeline's child run writes to. The child lives inside its parent's step:
 * its step events reach the parent's journal (forwarded with a `path`), its output is the
 * step's output, and a resume re-runs the whole step. So it keeps no run record of its own (it
 * would show as a separate run in `history()`), while artifacts and the cache are the real
 * store's, and durability rules (JSON outputs) are the same.
 */
export const nestedRunStore = (store: RunStore): RunStore => ({
  artifacts: store.artifacts,
  durable: store.durable,
  ...(store.jsonOutputs !== undefined ? { jsonOutputs: store.jsonOutputs } : {}),
  keepsReferences: true,
  beginRun: () => undefined,
  saveStep: () => undefined,
  endRun: () => undefined,
  getRun: () => undefined,
  listRuns: () => [],
  getCache: (key) => store.getCache(key),
  putCache: (entry) => store.putCache(entry),
  commit: () => store.commit(),
  acquireLease: (_runId, holder) => ({ ...holder, expiresAt: Infinity }),
  releaseLease: () => undefined,
  close: () => Promise.resolve(),
});
