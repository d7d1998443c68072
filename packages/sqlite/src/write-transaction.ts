import type Database from 'better-sqlite3';
import { holding, released, settleHeld } from './held-transactions';
import type { TransactionHolder } from './held-transactions';
import type { Write } from './staged-writes';

type Statement = Database.Statement<unknown[]>;

/** A write applied in the open transaction, with the run it belongs to. */
type Held = readonly [write: Write, owner: string];

/**
 * The store's write transaction (`BEGIN IMMEDIATE` … `COMMIT`), which may stay open past the call
 * that began it: a lease's take is held in it until the next commit of the store (see
 * `PendingWrites.hold`). Held open, it is committed once the current job's microtasks have run,
 * or at once when another store of this process writes to the file.
 */
export class WriteTransaction {
  private readonly begin: Statement;
  private readonly end: Statement;
  private readonly undo: Statement;
  private openNow = false;
  private held: Held[] = [];
  private dueQueued = false;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    /** Commits what is held: the store's own commit. */
    private readonly holder: TransactionHolder,
    private readonly isClosed: () => boolean,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.end = db.prepare('COMMIT');
    this.undo = db.prepare('ROLLBACK');
  }

  /** `true` while a transaction begun by {@link WriteTransaction.open} is neither committed nor rolled back. */
  get isOpen(): boolean {
    return this.openNow;
  }

  /** The writes held in the open transaction, with their runs: applied again if its commit is retried run by run. */
  get holds(): readonly Held[] {
    return this.held;
  }

  /** Begins the transaction; another store of this process holding one on the file commits first. */
  open(): void {
    settleHeld(this.path, this.holder);
    this.begin.run();
    this.openNow = true;
  }

  /** Begins a transaction for one part of a retried commit (nothing is held then). */
  beginPart(): void {
    this.begin.run();
  }

  commit(): void {
    this.end.run();
  }

  rollBack(): void {
    // SQLite rolls some failures back by itself (a full disk, an I/O error).
    if (this.db.inTransaction) this.undo.run();
  }

  /** `write` was applied in the open transaction, which stays open until the next commit or the end of the current job. */
  hold(write: Write, owner: string): void {
    this.held.push([write, owner]);
    holding(this.path, this.holder);
    if (this.dueQueued) return;
    this.dueQueued = true;
    // A promise job, not queueMicrotask: fake timers replace queueMicrotask, and the file must not stay locked for a fake clock.
    void Promise.resolve().then(() => {
      this.dueQueued = false;
      if (this.openNow && !this.isClosed()) this.holder.settle();
    });
  }

  /** The open transaction is committed or rolled back. */
  finish(): void {
    this.openNow = false;
    if (this.held.length === 0) return;
    this.held = [];
    released(this.path, this.holder);
  }
}
