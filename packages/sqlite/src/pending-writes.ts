import type Database from 'better-sqlite3';
import { RunFences } from './run-fences';
import { StagedWrites } from './staged-writes';
import type { AppendJournal, Write } from './staged-writes';
import { WriteTransaction } from './write-transaction';

export type { Write } from './staged-writes';

/** What a commit could not write: `undefined` when everything landed. */
type Failure = { readonly error: unknown } | undefined;

/**
 * Writes staged until a commit, then written in one transaction. Writes nobody commits are
 * committed when the current turn of the event loop ends, so nothing staged is lost.
 *
 * Staging is store-wide, so a commit carries the writes of every run that staged some. When it
 * fails, each run's part is tried again on its own: the runs whose part still fails are fenced
 * ({@link RunFences}) and hear it from their next commit, whoever's commit it was; the others
 * have committed and are unaffected.
 */
export class PendingWrites {
  private readonly staged = new StagedWrites();
  private readonly fences = new RunFences();
  private readonly transaction: WriteTransaction;
  private flushQueued = false;

  constructor(
    db: Database.Database,
    /** The database file: another store of this process on it commits what this one holds before writing. */
    path: string,
    private readonly append: AppendJournal,
    private readonly isClosed: () => boolean,
    /** A failed commit fenced the run: what the store keeps of it in memory is stale. */
    private readonly onFenced: (runId: string) => void,
  ) {
    this.transaction = new WriteTransaction(db, path, { settle: () => this.settle() }, isClosed);
  }

  /** `true` when the run has writes staged. */
  carries(runId: string): boolean {
    return this.staged.carries(runId);
  }

  /** `true` when a failed commit lost the run's writes and it was not begun again since: it stages nothing. */
  fenced(runId: string): boolean {
    return this.fences.has(runId);
  }

  /** The run is begun again (resume): its writes count from here. */
  lift(runId: string): void {
    this.fences.lift(runId);
  }

  /** Stages a write of run `owner` (`undefined`: of no run); dropped for a fenced run. */
  defer(write: Write, params: unknown[], owner: string | undefined): void {
    if (owner !== undefined && this.fences.has(owner)) return;
    this.staged.add(write, params, owner);
    this.queueFlush();
  }

  /** Stages a step's upsert, replacing one staged earlier in this commit. */
  deferStep(write: Write, runId: string, step: string, params: unknown[]): void {
    if (this.fences.has(runId)) return;
    this.staged.addStep(write, runId, step, params);
    this.queueFlush();
  }

  /** Stages the run's event number `seq` (its JSON `body`); a run's seqs are staged in order, without gaps. */
  deferEvent(runId: string, seq: number, body: string): void {
    if (this.fences.has(runId)) return;
    this.staged.addEvent(runId, seq, body);
    this.queueFlush();
  }

  /**
   * Runs `apply` (a write of run `owner` that must happen now: a lease's take) in a write
   * transaction. When `again(result)` gives a write, the transaction is left open: the next
   * commit writes in it, so what the engine stages next (the run's first record, committed in
   * the same synchronous turn) commits with it; if nobody commits, it commits once the current
   * job's microtasks run. Until then it is not durable, and nothing of the store commits before
   * it. `again` applies the same write once more, should the commit be retried run by run.
   * Otherwise what `apply` wrote commits at once (or with the transaction already open).
   */
  hold<T>(owner: string, apply: () => T, again: (result: T) => Write | undefined): T {
    const { transaction } = this;
    const opened = !transaction.isOpen;
    if (opened) transaction.open();
    let result: T;
    let write: Write | undefined;
    try {
      result = apply();
      write = again(result);
      if (write === undefined && opened) transaction.commit();
    } catch (error) {
      // Whatever the open transaction held is lost with it.
      transaction.rollBack();
      for (const [, of] of transaction.holds) this.fence(of, error);
      transaction.finish();
      throw error;
    }
    if (write !== undefined) transaction.hold(write, owner);
    else if (opened) transaction.finish();
    return result;
  }

  /**
   * Commits what is staged. For a run (`runId`), throws if that run's writes were lost, now or
   * by an earlier commit since it was last begun; without one, throws any failure of this commit.
   */
  commit(runId?: string): void {
    if (runId !== undefined) this.fences.check(runId);
    const failure = this.write();
    if (runId !== undefined) this.fences.check(runId);
    else if (failure !== undefined) throw failure.error;
  }

  /** Commits what is staged; a failure is told to the runs it hits (their next commit), not here. */
  settle(): void {
    this.write();
  }

  private write(): Failure {
    const { staged, transaction } = this;
    if (!transaction.isOpen) {
      if (staged.empty) return undefined;
      try {
        transaction.open();
      } catch (error) {
        // Not one write was tried (the file is locked past the busy timeout, or read-only): every part fails alike.
        for (const owner of staged.owners()) this.fence(owner, error);
        staged.clear();
        return { error };
      }
    }
    try {
      staged.apply(this.append);
      transaction.commit();
      return undefined;
    } catch (error) {
      transaction.rollBack();
      const owners = staged.owners();
      for (const [, owner] of transaction.holds) owners.add(owner);
      if (owners.size === 1) {
        for (const owner of owners) this.fence(owner, error);
        return { error };
      }
      // One run's write may be what failed (a value too big, its row gone): each part again on its own.
      return this.writeParts(owners);
    } finally {
      staged.clear();
      transaction.finish();
    }
  }

  /** Each owner's part in a transaction of its own; returns the first failure. */
  private writeParts(owners: ReadonlySet<string | undefined>): Failure {
    const { transaction } = this;
    let failure: Failure;
    for (const owner of owners) {
      try {
        transaction.beginPart();
        for (const [write, of] of transaction.holds) if (of === owner) write.run([]);
        this.staged.applyPart(this.append, owner);
        transaction.commit();
      } catch (error) {
        transaction.rollBack();
        this.fence(owner, error);
        failure ??= { error };
      }
    }
    return failure;
  }

  private fence(owner: string | undefined, error: unknown): void {
    if (owner === undefined) return;
    this.fences.fence(owner, error);
    this.onFenced(owner);
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After the current turn's microtasks: a chain of quick steps shares one commit for its progress.
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.isClosed()) this.settle();
    });
  }
}
