import type Database from 'better-sqlite3';

/**
 * Schema version 4: the journal keeps one row per run and commit, holding that commit's events
 * (`seq` to `last_seq`) as one JSON array, instead of one row per event. A chain step's commit
 * then inserts one row where it inserted four: fewer statements, and fewer B-tree pages written
 * to the WAL per commit (appending rows of a WITHOUT ROWID table rebalances its right edge often).
 * The rows of `events` (schema 1 to 3) become rows of one event each; `events` is dropped.
 */
export const createJournalSchema = (db: Database.Database): void => {
  db.exec(`
    CREATE TABLE journal (
      run_id   TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
      -- Position in the run's journal (from 1) of the row's first event, and of its last.
      seq      INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      -- The events seq .. last_seq, in order: a JSON array.
      events   TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;

    INSERT INTO journal (run_id, seq, last_seq, events) SELECT run_id, seq, seq, '[' || body || ']' FROM events;
    DROP TABLE events;
  `);
};
