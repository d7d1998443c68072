import type Database from 'better-sqlite3';

/** A journal row's id is `runs.num * JOURNAL_SPAN + seq`: a run's rows are one range of ids. */
export const JOURNAL_SPAN = 2 ** 32;

/**
 * Schema version 4: the journal keeps one row per run and commit, holding that commit's events
 * (`seq` to `last_seq`) as one JSON array, instead of one row per event; and the row's key is one
 * integer, `num * 2^32 + seq`, where `num` numbers the run in the file. A chain step's commit then
 * appends one row, at the right edge of a rowid table, where SQLite writes one new page rather
 * than rebalancing the pages of a WITHOUT ROWID table's right edge: 4.8 WAL frames per commit
 * became about 3. The rows of `events` (schema 1 to 3) become rows of one event each.
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
  `);
};
