import type Database from 'better-sqlite3';

/** A staged write: a prepared statement, or a function that writes and checks. */
export interface Write {
  run(params: unknown[]): unknown;
}

/** A run's events staged for the next commit: they become one journal row. */
interface StagedEvents {
  readonly first: number;
  last: number;
  /** The events' JSON, joined into one array when committed. */
  readonly bodies: string[];
}

/**
 * Writes staged until the engine's `commit()`, then run in one transaction. Repeated saves of
 * one step within a commit replace each other (one row write per step per commit), and a run's
 * events of one commit are journaled as one row. Writes nobody commits are committed when the
 * current turn of the event loop ends, so nothing staged is lost.
 */
export class PendingWrites {
  private readonly pending: Array<[Write, unknown[]]> = [];
  /** Index in `pending` of each step's upsert (`runId\0step`). */
  private readonly steps = new Map<string, number>();
  /** Per run, its events staged since the last commit. */
  private readonly events = new Map<string, StagedEvents>();
  private flushQueued = false;
  /** A deferred commit that failed: thrown by the next call, never lost. */
  private deferredError: unknown;
  private readonly transaction: () => void;

  constructor(
    db: Database.Database,
    /** Journals a run's events `first` .. `last` (their JSON array); throws when it cannot. */
    appendJournal: (runId: string, first: number, last: number, events: string) => void,
    private readonly isClosed: () => boolean,
  ) {
    const run = db.transaction(() => {
      const { pending } = this;
      for (let index = 0; index < pending.length; index++) {
        const [statement, params] = pending[index] as [Write, unknown[]];
        statement.run(params);
      }
      // After the writes above: a run's row (beginRun) is in before the events that reference it.
      for (const [runId, staged] of this.events) {
        const { bodies } = staged;
        appendJournal(runId, staged.first, staged.last, bodies.length === 1 ? `[${bodies[0] as string}]` : `[${bodies.join(',')}]`);
      }
    });
    this.transaction = () => {
      try {
        run.immediate();
      } finally {
        // Committed, or rolled back and reported to the caller: either way these writes are done with.
        this.pending.length = 0;
        this.steps.clear();
        this.events.clear();
      }
    };
  }

  get size(): number {
    return this.pending.length + this.events.size;
  }

  /** Stages a write. */
  defer(statement: Write, params: unknown[]): void {
    this.pending.push([statement, params]);
    this.queueFlush();
  }

  /** Stages a step's upsert, replacing one staged earlier in this commit. */
  deferStep(write: Write, key: string, params: unknown[]): void {
    const earlier = this.steps.get(key);
    if (earlier === undefined) {
      this.steps.set(key, this.pending.length);
      this.defer(write, params);
      return;
    }
    (this.pending[earlier] as [Write, unknown[]])[1] = params;
  }

  /** Stages the run's event number `seq` (its JSON `body`); a run's seqs are staged in order, without gaps. */
  deferEvent(runId: string, seq: number, body: string): void {
    const staged = this.events.get(runId);
    if (staged === undefined) {
      this.events.set(runId, { first: seq, last: seq, bodies: [body] });
      this.queueFlush();
      return;
    }
    staged.last = seq;
    staged.bodies.push(body);
  }

  /** Commits what is staged; throws a deferred commit's failure once. */
  commit(): void {
    this.throwDeferred();
    if (this.pending.length > 0 || this.events.size > 0) this.transaction();
  }

  /** Throws a deferred commit's failure, once. */
  throwDeferred(): void {
    if (this.deferredError === undefined) return;
    const error = this.deferredError;
    this.deferredError = undefined;
    throw error;
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After the current turn's microtasks: a chain of quick steps shares one commit for its progress.
    setImmediate(() => {
      this.flushQueued = false;
      if (this.isClosed() || this.size === 0) return;
      try {
        this.transaction();
      } catch (error) {
        this.deferredError = error;
      }
    });
  }
}
