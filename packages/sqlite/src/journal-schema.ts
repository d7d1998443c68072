import type Database from 'better-sqlite3';

/** Journal and step rows' ids are `runs.num * JOURNAL_SPAN + seq` (or position): a run's rows are one range of ids. */
export const JOURNAL_SPAN = 2 ** 32;

/**
 * Schema version 4, for fewer pages written per commit. The journal keeps one row per run and
 * commit, holding that commit's events (`seq` to `last_seq`) as one JSON array, instead of one
 * row per event. Journal and step rows are keyed by one integer, `num * 2^32 + seq` (or the
 * step's position), where `num` numbers the run in the file: a chain step's commit appends at the
 * right edge of two rowid tables, where SQLite writes one new page each, rather than rebalancing
 * the pages of WITHOUT ROWID tables. The rows of `events` (schema 1 to 3) become rows of one event.
 */
export const createJournalSchema = (db: Database.Database): void => {
  db.exec(`
    -- Numbers the runs in the file, in order of first start; the store assigns it on insert.
    ALTER TABLE runs ADD COLUMN num INTEGER;
    UPDATE runs SET num = rowid;
    CREATE UNIQUE INDEX runs_by_num ON runs (num);

    CREATE TABLE journal (
      -- runs.num * 2^32 + the position in the run's journal (from 1) of the row's first event.
      id       INTEGER PRIMARY KEY,
      -- Position of the row's last event.
      last_seq INTEGER NOT NULL,
      -- The events of positions id % 2^32 .. last_seq, in order: a JSON array.
      events   TEXT NOT NULL
    );

    INSERT INTO journal (id, last_seq, events)
      SELECT runs.num * ${JOURNAL_SPAN} + events.seq, events.seq, '[' || events.body || ']' FROM events JOIN runs USING (run_id);
    DROP TABLE events;

    CREATE TABLE steps_by_num (
      -- runs.num * 2^32 + the step's position: its order of first save in the run, from 1.
      id         INTEGER PRIMARY KEY,
      run_id     TEXT NOT NULL,
      step       TEXT NOT NULL,
      status     TEXT NOT NULL,
      output     TEXT,
      attempts   INTEGER NOT NULL,
      error      TEXT,
      started_at INTEGER,
      ended_at   INTEGER,
      metrics    TEXT NOT NULL,
      logs       TEXT NOT NULL,
      artifacts  TEXT NOT NULL
    );
    INSERT INTO steps_by_num (id, run_id, step, status, output, attempts, error, started_at, ended_at, metrics, logs, artifacts)
      SELECT runs.num * ${JOURNAL_SPAN} + ROW_NUMBER() OVER (PARTITION BY steps.run_id ORDER BY steps.position, steps.step),
             steps.run_id, steps.step, steps.status, steps.output, steps.attempts, steps.error, steps.started_at, steps.ended_at,
             steps.metrics, steps.logs, steps.artifacts
      FROM steps JOIN runs USING (run_id);
    DROP TABLE steps;
    ALTER TABLE steps_by_num RENAME TO steps;
  `);
};
