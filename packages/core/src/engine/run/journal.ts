import { StoreError } from '../../errors/errors';
import type { RunStore } from '../../ports/run-store';
import { toErrorInfo } from '../error-info';
import type { PipelineEvent } from '../../model/events';
import { OUTCOME_EVENT_TYPES } from '../../model/events';

/** Where the journal releases what it committed: the run that owns it. */
export interface JournalSink {
  /** An event is committed: publish it. */
  publish(event: PipelineEvent): void;
  /** Called once if a commit fails: nothing of that batch (or later) is released. */
  commitFailed(error: unknown): void;
}

/** What a failed commit becomes, for the run's result and for whoever waited on the commit. */
export const storeFailure = (cause: unknown): StoreError =>
  new StoreError('STORE_FAILED', `The store failed to commit: ${toErrorInfo(cause).message}`, { cause });

const isPromise = (value: unknown): value is Promise<void> => typeof (value as Promise<void> | undefined)?.then === 'function';

/**
 * The run's journal, and the one place where "commit, then act" happens.
 *
 * Everything a run changes in one synchronous turn is written to the store at once (stores stage
 * writes until `commit()`), its events are appended here, and anything that rests on those changes
 * is queued as a reaction. At the end of the turn the journal commits once and only then releases
 * the batch: its events go to the sink to be published, then its reactions run. So no event is
 * seen, no child started, no callback called on a change that a crash could still take back.
 *
 * A synchronous store (memory, SQLite) commits in the same microtask; an asynchronous one
 * (Postgres) is awaited, and turns that happen meanwhile form the next batch, in order.
 */
export class Journal {
  private events: PipelineEvent[] = [];
  private reactions: Array<() => void> = [];
  private scheduled = false;
  private inFlight = false;
  private failed = false;
  private immediate = false;
  /** The end-of-turn commit of progress events, while one is scheduled. */
  private lazyCommit: NodeJS.Immediate | undefined;
  private closed = false;
  /** Made once: a run schedules a flush per turn, a 100 000-step chain 100 000 of them. */
  private readonly flushLater = (): void => this.flush();

  constructor(
    private readonly store: RunStore,
    private readonly sink: JournalSink,
    /** The run whose journal this is, named to `commit()` (see {@link RunStore.commit}). */
    private readonly runId?: string,
  ) {}

  /** `true` once a commit failed: nothing more is released. */
  get broken(): boolean {
    return this.failed;
  }

  /**
   * From now on, publish each event as it is appended when the store commits every write as it
   * is made (memory): the event's change is already as durable as it will get, and holding a
   * turn's events would only keep them alive. Reactions still wait for the end of the turn.
   */
  publishOnAppend(): void {
    this.immediate = this.store.commitsOnWrite === true;
  }

  /** Journals an event; it is published once committed. */
  append(event: PipelineEvent): void {
    if (this.failed) return;
    this.store.appendEvent?.(event);
    if (this.immediate) {
      if (!this.closed) this.sink.publish(event);
      return;
    }
    this.events.push(event);
    if (OUTCOME_EVENT_TYPES.has(event.type)) this.schedule();
    else this.scheduleLazily();
  }

  /** Runs `reaction` once everything journaled so far is committed. */
  afterCommit(reaction: () => void): void {
    if (this.failed) return;
    this.reactions.push(reaction);
    this.schedule();
  }

  /** Resolves once everything journaled so far is committed and released. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.afterCommit(resolve));
  }

  /**
   * Commits what is staged now, releasing it at the end of the turn as usual. `start()` calls it
   * so that the run id it hands out names a durable run. A promise for an asynchronous store,
   * which rejects (after failing the run) when the commit fails: no id may be handed out then.
   */
  commitNow(): void | Promise<void> {
    let done: void | Promise<void>;
    try {
      done = this.store.commit(this.runId);
    } catch (error) {
      // Nothing was recorded: the run must not start, and its caller hears why.
      this.failed = true;
      throw storeFailure(error);
    }
    if (!isPromise(done)) return undefined;
    return done.catch((error: unknown) => {
      this.fail(error);
      throw storeFailure(error);
    });
  }

  /** Releases nothing more (after the run's last batch). */
  complete(): void {
    this.closed = true;
    // Nothing is left to commit: a pending end-of-turn commit would only keep the run alive
    // until the event loop turns, which a long-lived engine whose runs finish in microtasks
    // (a synchronous store) may not do for thousands of runs.
    if (this.lazyCommit !== undefined) clearImmediate(this.lazyCommit);
    this.lazyCommit = undefined;
  }

  /**
   * Progress (a step created, queued, started, a log line) has no consequence to release: its
   * commit may wait for the turn's next outcome, or for the event loop's next turn. So a chain of
   * quick steps commits once per step, not twice, and a long step's progress still goes out at once.
   */
  private scheduleLazily(): void {
    if (this.scheduled || this.lazyCommit !== undefined || this.inFlight) return;
    this.lazyCommit = setImmediate(() => {
      this.lazyCommit = undefined;
      if (!this.scheduled && !this.inFlight) this.flush();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // A promise job, not queueMicrotask: fake timers (jest, vitest) replace queueMicrotask, and a run must not wait for a fake clock to begin.
    void Promise.resolve().then(this.flushLater);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.failed || (this.events.length === 0 && this.reactions.length === 0)) return;
    const events = this.events;
    const reactions = this.reactions;
    this.events = [];
    this.reactions = [];
    let done: void | Promise<void>;
    try {
      done = this.store.commit?.(this.runId);
    } catch (error) {
      return this.fail(error);
    }
    if (!isPromise(done)) return this.release(events, reactions);
    this.inFlight = true;
    done.then(
      () => {
        this.inFlight = false;
        this.release(events, reactions);
        if (this.events.length > 0 || this.reactions.length > 0) this.schedule();
      },
      (error: unknown) => {
        this.inFlight = false;
        this.fail(error);
      },
    );
  }

  /** A batch is committed: its events are published, then what rested on them happens. */
  private release(events: readonly PipelineEvent[], reactions: ReadonlyArray<() => void>): void {
    if (this.failed || this.closed) return;
    for (const event of events) this.sink.publish(event);
    for (const react of reactions) react();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.events = [];
    this.reactions = [];
    this.sink.commitFailed(error);
  }
}
