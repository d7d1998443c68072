/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file; its folder is created when missing. */
  readonly path: string;
  /** Folder of the artifact blobs. Default: `<path>.artifacts` beside the database. */
  readonly artifactsDir?: string;
  /** How long a write waits for another process's write to finish before failing. Default 5 000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * `'normal'` (default): a commit survives the process being killed at any point; a power
   * loss may roll back the last commits, never corrupt the file. `'full'`: commits also
   * survive a power loss, at the cost of an fsync each.
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * When writes are committed.
   * - `'batch'` (default): when the engine calls `commit()`, which it does before it publishes
   *   the events of each synchronous turn; so every event is committed before any subscriber
   *   sees it, at one commit per batch (about one per step on a chain). Writes nobody commits
   *   are committed when the current turn of the event loop ends.
   * - `'outcome'`: `appendEvent` itself commits `run.*` events and every step outcome
   *   (`succeeded`, `cached`, `failed`, `skipped`, `aborted`) with the writes before them;
   *   progress events join the next commit. For callers that publish right after `appendEvent`.
   * - `'event'`: `appendEvent` commits every event, one commit each.
   */
  readonly commitEvery?: 'batch' | 'outcome' | 'event';
  /**
   * Refuse (`NOT_FOUND`) rather than create a database that does not exist yet: for commands
   * that read or continue runs, where a mistyped path would otherwise be a new, empty store.
   */
  readonly mustExist?: boolean;
}
