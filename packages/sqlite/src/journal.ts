import type Database from 'better-sqlite3';
import type { JournalEntry, PipelineEvent } from '@pipewright/core';
import { JOURNAL_SPAN } from './journal-schema';

type Statement = Database.Statement<unknown[]>;

interface JournalRow {
  readonly id: number;
  readonly events: string;
}

/**
 * The run journal of schema 4: one row per run and commit, keyed `runs.num * 2^32 + seq` (see
 * `createJournalSchema`). Reads take the run's `num` first, then one range of row ids.
 */
export class JournalTable {
  private readonly insertRow: Statement;
  private readonly selectNum: Statement;
  private readonly selectRows: Statement;
  private readonly selectRowAt: Statement;
  private readonly selectLastSeq: Statement;

  constructor(db: Database.Database) {
    // No row when the run is not in the file: `append` reports it rather than journal nowhere.
    this.insertRow = db.prepare(`INSERT INTO journal (id, last_seq, events) SELECT num * ${JOURNAL_SPAN} + ?, ?, ? FROM runs WHERE run_id = ?`);
    this.selectNum = db.prepare('SELECT num FROM runs WHERE run_id = ?').pluck();
    this.selectRows = db.prepare('SELECT id, events FROM journal WHERE id >= ? AND id < ? ORDER BY id');
    this.selectRowAt = db.prepare('SELECT id FROM journal WHERE id >= ? AND id <= ? ORDER BY id DESC LIMIT 1').pluck();
    this.selectLastSeq = db.prepare('SELECT last_seq FROM journal WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1').pluck();
  }

  /** Journals the run's events `first` .. `last` (their JSON array); `false` when the run is not in the file. */
  append(runId: string, first: number, last: number, events: string): boolean {
    return this.insertRow.run(first, last, events, runId).changes === 1;
  }

  /** Position of the last journaled event (0 for none) of the run whose rows start at `base` ({@link JournalTable.baseOf}). */
  lastSeqAt(base: number): number {
    return (this.selectLastSeq.get(base, base + JOURNAL_SPAN) as number | undefined) ?? 0;
  }

  /** The run's journal after position `afterSeq`, in order. */
  after(runId: string, afterSeq: number): JournalEntry[] {
    const base = this.baseOf(runId);
    if (base === undefined) return [];
    // From the row holding event afterSeq + 1: a row holds the events of one commit.
    const from = (this.selectRowAt.get(base, base + afterSeq) as number | undefined) ?? base;
    const entries: JournalEntry[] = [];
    for (const row of this.selectRows.all(from, base + JOURNAL_SPAN) as JournalRow[]) {
      const events = JSON.parse(row.events) as PipelineEvent[];
      const first = row.id - base;
      for (let index = 0; index < events.length; index++) {
        if (first + index > afterSeq) entries.push({ seq: first + index, event: events[index] as PipelineEvent });
      }
    }
    return entries;
  }

  /** Where the run's rows (journal and steps) start: `runs.num * 2^32`; `undefined` when the run is not in the file. */
  baseOf(runId: string): number | undefined {
    const num = this.selectNum.get(runId) as number | null | undefined;
    return num === undefined || num === null ? undefined : num * JOURNAL_SPAN;
  }
}
