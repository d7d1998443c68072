import type Database from 'better-sqlite3';

/** Schema version 3: signals, step waits, schedules and their claimed ticks. */
export const createWaitsSchema = (db: Database.Database): void => {
  db.exec(`
    -- engine.signal() from any process; kept until a ctx.waitFor of the run consumes it (oldest first).
    CREATE TABLE signals (
      id      INTEGER PRIMARY KEY,
      run_id  TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
      name    TEXT NOT NULL,
      payload TEXT NOT NULL,
      sent_at INTEGER NOT NULL
    );
    CREATE INDEX signals_by_run ON signals (run_id, name, id);

    -- The seq-th ctx.waitFor / ctx.sleep of a step and its outcome: what a re-run step gets at once.
    CREATE TABLE step_waits (
      run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
      step   TEXT NOT NULL,
      seq    INTEGER NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (run_id, step, seq)
    ) WITHOUT ROWID;

    CREATE TABLE schedules (
      id         TEXT PRIMARY KEY,
      pipeline   TEXT NOT NULL,
      version    TEXT NOT NULL,
      cron       TEXT NOT NULL,
      timezone   TEXT,
      params     TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      seen_at    INTEGER NOT NULL
    );

    -- One row per fired tick: the primary key is what makes a tick fire once across processes.
    CREATE TABLE schedule_ticks (
      schedule_id TEXT NOT NULL,
      tick_at     INTEGER NOT NULL,
      owner       TEXT NOT NULL,
      run_id      TEXT NOT NULL,
      claimed_at  INTEGER NOT NULL,
      PRIMARY KEY (schedule_id, tick_at)
    ) WITHOUT ROWID;
  `);
};
