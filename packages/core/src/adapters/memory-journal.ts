import type { PipelineEvent } from '../model/events';
import type { JournalEntry } from '../ports/run-store';

/**
 * Runs' journals in memory, for a memory store opened with `journal: true`: what lets
 * `engine.watch` replay a run's events so far. Off by default, because keeping every event of a
 * live run costs memory (and garbage-collection time) that most embedded uses never need.
 */
export class MemoryJournal {
  private readonly runs = new Map<string, PipelineEvent[]>();

  append(event: PipelineEvent): void {
    const events = this.runs.get(event.runId);
    if (events) events.push(event);
    else this.runs.set(event.runId, [event]);
  }

  /** Events after position `afterSeq` (positions count from 1). */
  read(runId: string, afterSeq: number): JournalEntry[] {
    const events = this.runs.get(runId) ?? [];
    const entries: JournalEntry[] = [];
    for (let index = Math.max(0, afterSeq); index < events.length; index++) entries.push({ seq: index + 1, event: events[index] as PipelineEvent });
    return entries;
  }

  forget(runId: string): void {
    this.runs.delete(runId);
  }

  clear(): void {
    this.runs.clear();
  }
}
