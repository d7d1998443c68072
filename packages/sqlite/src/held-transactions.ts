/** A store of this process that may hold a write transaction open on a file (see `PendingWrites.hold`). */
export interface TransactionHolder {
  /** Commits what it holds now. */
  settle(): void;
}

/** Per database file (absolute path), the stores of this process holding a write transaction open. */
const holders = new Map<string, Set<TransactionHolder>>();

/** `holder` opened a write transaction on `path` that it keeps open past the current call. */
export const holding = (path: string, holder: TransactionHolder): void => {
  let set = holders.get(path);
  if (set === undefined) holders.set(path, (set = new Set()));
  set.add(holder);
};

/** `holder` committed or rolled back what it held on `path`. */
export const released = (path: string, holder: TransactionHolder): void => {
  const set = holders.get(path);
  if (set === undefined || !set.delete(holder)) return;
  if (set.size === 0) holders.delete(path);
};

/**
 * Before a write to `path`: another store of this process holding a transaction open on the same
 * file commits it now. Waiting for its lock instead would wait on this very thread, until the
 * busy timeout ran out.
 */
export const settleHeld = (path: string, except?: TransactionHolder): void => {
  const set = holders.get(path);
  if (set === undefined) return;
  for (const holder of [...set]) if (holder !== except) holder.settle();
};
