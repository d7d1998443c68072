import type Database from 'better-sqlite3';
import { JOURNAL_SPAN } from './journal-schema';
import type { StepRow } from './rows';

type Statement = Database.Statement<unknown[]>;

/** Columns of a step as read back, in `StepRow` terms. */
const STEP_COLUMNS = 'step, status, output, attempts, error, started_at, ended_at, metrics, logs, artifacts';

/**
 * The steps table of schema 4: a rowid table keyed `runs.num * 2^32 + position`, where position
 * numbers the run's steps in order of first save (see `createJournalSchema`). A run's steps are
 * one range of ids, read back in order; a new step appends at the right edge of the table.
 */
export class StepTable {
  private readonly upsertRow: Statement;
  private readonly selectNum: Statement;
  private readonly selectRows: Statement;
  private readonly selectPositions: Statement;

  constructor(db: Database.Database) {
    // No row when the run is not in the file: `save` reports it. `WHERE` ends the SELECT, so `ON CONFLICT` parses as the upsert's.
    this.upsertRow = db.prepare(
      `INSERT INTO steps (id, run_id, ${STEP_COLUMNS})
       SELECT num * ${JOURNAL_SPAN} + ?, run_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM runs WHERE run_id = ?
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, output = excluded.output, attempts = excluded.attempts,
         error = excluded.error, started_at = excluded.started_at, ended_at = excluded.ended_at,
         metrics = excluded.metrics, logs = excluded.logs, artifacts = excluded.artifacts`,
    );
    this.selectNum = db.prepare('SELECT num FROM runs WHERE run_id = ?').pluck();
    this.selectRows = db.prepare(`SELECT ${STEP_COLUMNS} FROM steps WHERE id >= ? AND id < ? ORDER BY id`);
    this.selectPositions = db.prepare('SELECT step, id FROM steps WHERE id >= ? AND id < ?').raw();
  }

  /** Writes a step's row (`stepParams`); `false` when its run is not in the file. */
  save(params: unknown[]): boolean {
    return this.upsertRow.run(params).changes === 1;
  }

  /** The run's steps in order of first save. */
  rowsOf(runId: string): StepRow[] {
    const base = this.baseOf(runId);
    return base === undefined ? [] : (this.selectRows.all(base, base + JOURNAL_SPAN) as StepRow[]);
  }

  /** The position of each saved step of the run whose rows start at `base` (`JournalTable.baseOf`). */
  positionsAt(base: number): Map<string, number> {
    const positions = new Map<string, number>();
    for (const [step, id] of this.selectPositions.all(base, base + JOURNAL_SPAN) as Array<[string, number]>) positions.set(step, id - base);
    return positions;
  }

  private baseOf(runId: string): number | undefined {
    const num = this.selectNum.get(runId) as number | null | undefined;
    return num === undefined || num === null ? undefined : num * JOURNAL_SPAN;
  }
}
