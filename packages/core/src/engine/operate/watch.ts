import { Observable } from 'rxjs';
import type { Subscriber } from 'rxjs';
import { EngineError } from '../../errors/errors';
import type { JournalEntry, RunStore } from '../../ports/run-store';
import type { PipelineEvent } from '../../model/events';
import { isLeaseDead } from './leases';
import type { LiveRun } from './live-runs';

/** What `watch()` needs of its engine. */
export interface WatchContext {
  readonly store: RunStore;
  /** The run, when this engine drives it. */
  live(runId: string): LiveRun | undefined;
  /** How often the journal of a run driven elsewhere is read. */
  readonly pollMs: number;
}

const isRunEnd = (event: PipelineEvent): boolean =>
  event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.aborted';

/** The latest incarnation of a run in its journal: from its last `run.started` (a resumed run has several). */
const latestIncarnation = (entries: readonly JournalEntry[]): readonly JournalEntry[] => {
  for (let index = entries.length - 1; index >= 0; index--) {
    if ((entries[index] as JournalEntry).event.type === 'run.started') return entries.slice(index);
  }
  return entries;
};

const notFound = (runId: string): EngineError => new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });

/**
 * `engine.watch(runId)`: the run's events from its latest `run.started` so far, then live ones,
 * completing after the final `run.*` event. A run this engine drives is replayed from the journal
 * (or, for a store that journals nothing, from the events kept while it lives) and then followed
 * on its `events$`, the two joined by count so no event is lost or repeated. A run driven by
 * another process is followed by reading the store's journal every `pollMs`, and at once when the
 * store tells of new events (`subscribeEvents`); if its driver dies the observable errors with
 * `RUN_INTERRUPTED`.
 */
export const watchRun = (context: WatchContext, runId: string): Observable<PipelineEvent> =>
  new Observable<PipelineEvent>((subscriber) => {
    const live = context.live(runId);
    if (live !== undefined) return replayThenFollow(context.store, live, runId, subscriber);
    return followJournal(context, runId, subscriber);
  });

const replayThenFollow = (store: RunStore, live: LiveRun, runId: string, subscriber: Subscriber<PipelineEvent>): (() => void) => {
  const published = live.handle.published ?? 0;
  const pending: PipelineEvent[] = [];
  let replaying = true;
  let completed = false;
  const subscription = live.handle.events$.subscribe({
    next: (event) => (replaying ? pending.push(event) : subscriber.next(event)),
    complete: () => {
      completed = true;
      if (!replaying) subscriber.complete();
    },
  });
  const finish = (history: readonly PipelineEvent[]): void => {
    for (const event of history) subscriber.next(event);
    replaying = false;
    for (const event of pending) subscriber.next(event);
    pending.length = 0;
    if (completed) subscriber.complete();
  };
  // A store that keeps no journal (a memory store by default): the run is followed from now on.
  if (published === 0 || store.readEvents === undefined) finish([]);
  else {
    Promise.resolve(store.readEvents?.(runId, 0) ?? [])
      .then((entries) => finish(latestIncarnation(entries).slice(0, published).map((entry) => entry.event)))
      .catch((error: unknown) => subscriber.error(error));
  }
  return () => subscription.unsubscribe();
};

const followJournal = (context: WatchContext, runId: string, subscriber: Subscriber<PipelineEvent>): (() => void) => {
  const { store } = context;
  const read = store.readEvents?.bind(store);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let afterSeq = 0;
  let first = true;
  let polling = false;
  let again = false;

  const poll = async (): Promise<void> => {
    const stored = await store.getRun(runId);
    if (stored === undefined) throw notFound(runId);
    if (read === undefined) {
      throw new EngineError('NOT_SUPPORTED', `Run '${runId}' is not driven by this engine, and its store keeps no journal to follow it by.`, { runId });
    }
    let entries = await read(runId, afterSeq);
    if (first) entries = latestIncarnation(entries);
    first = false;
    for (const entry of entries) {
      if (closed) return;
      subscriber.next(entry.event);
      afterSeq = entry.seq;
      if (isRunEnd(entry.event)) return subscriber.complete();
    }
    if (entries.length === 0 && stored.run.status === 'running' && isLeaseDead(await store.readLease?.(runId))) {
      // Re-read: the run may have ended (and let its lease go) since the journal was read.
      const again = await read(runId, afterSeq);
      if (again.length === 0) {
        throw new EngineError('RUN_INTERRUPTED', `Run '${runId}' was interrupted: the process that drove it is gone. Resume it to go on.`, { runId });
      }
    }
    if (!closed) timer = setTimeout(run, context.pollMs);
  };
  // One read at a time: a notification during a read asks for one more right after it.
  const run = (): void => {
    if (closed) return;
    if (polling) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    polling = true;
    poll().then(
      () => {
        polling = false;
        if (again) {
          again = false;
          run();
        }
      },
      (error: unknown) => {
        if (!closed) subscriber.error(error);
      },
    );
  };
  const unsubscribe = store.subscribeEvents?.(runId, run);
  run();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    unsubscribe?.();
  };
};
