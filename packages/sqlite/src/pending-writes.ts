import type Database from 'better-sqlite3';
import type { Statement } from './statements';

/**
 * Writes staged until the engine's `commit()`, then run in one transaction. Repeated saves of
 * one step within a commit replace each other (one row write per step per commit). Writes nobody
 * commits are committed when the current turn of the event loop ends, so nothing staged is lost.
 */
export class PendingWrites {
  private readonly pending: Array<[Statement, unknown[]]> = [];
  /** Index in `pending` of each step's upsert (`runId\0step`). */
  private readonly steps = new Map<string, number>();
  private flushQueued = false;
  /** A deferred commit that failed: thrown by the next call, never lost. */
  private deferredError: unknown;
  private readonly transaction: (extra: [Statement, unknown[]] | undefined) => void;

  constructor(
    db: Database.Database,
    private readonly isClosed: () => boolean,
  ) {
    const run = db.transaction((extra: [Statement, unknown[]] | undefined) => {
      const { pending } = this;
      for (let index = 0; index < pending.length; index++) {
        const [statement, params] = pending[index] as [Statement, unknown[]];
        statement.run(params);
      }
      if (extra !== undefined) extra[0].run(extra[1]);
    });
    this.transaction = (extra) => {
      try {
        run.immediate(extra);
      } finally {
        // Committed, or rolled back and reported to the caller: either way these writes are done with.
        this.pending.length = 0;
        this.steps.clear();
      }
    };
  }

  get size(): number {
    return this.pending.length;
  }

  /** Stages a write. */
  defer(statement: Statement, params: unknown[]): void {
    this.pending.push([statement, params]);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After the current turn's microtasks: a chain of quick steps shares one commit for its progress.
    setImmediate(() => {
      this.flushQueued = false;
      if (this.isClosed() || this.pending.length === 0) return;
      try {
        this.transaction(undefined);
      } catch (error) {
        this.deferredError = error;
      }
    });
  }

  /**
   * Stages a step's upsert, replacing one staged earlier in this commit. `position` (params[2])
   * stays the earlier save's: it orders the step by its first save.
   */
  deferStep(statement: Statement, key: string, params: unknown[]): void {
    const earlier = this.steps.get(key);
    if (earlier === undefined) {
      this.steps.set(key, this.pending.length);
      this.defer(statement, params);
      return;
    }
    const staged = this.pending[earlier] as [Statement, unknown[]];
    params[2] = staged[1][2];
    staged[1] = params;
  }

  /** Commits what is staged, with one more write if given; throws a deferred commit's failure once. */
  commit(extra?: [Statement, unknown[]]): void {
    this.throwDeferred();
    if (this.pending.length > 0 || extra !== undefined) this.transaction(extra);
  }

  /** Throws a deferred commit's failure, once. */
  throwDeferred(): void {
    if (this.deferredError === undefined) return;
    const error = this.deferredError;
    this.deferredError = undefined;
    throw error;
  }
}
