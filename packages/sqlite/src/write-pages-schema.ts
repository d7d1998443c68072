import type Database from 'better-sqlite3';

/**
 * Schema 5: fewer pages written per run. Each commit writes every page it changes to the WAL, at
 * two system calls a page, and a run's first and last commits touched the most: the run's row
 * with each of its indexes, its lease with its key's index.
 *
 * - `runs` is keyed by `num` (INTEGER PRIMARY KEY: the rowid), which numbers the runs in the
 *   file and keys their journal and step rows: no separate index on it, and a run's `num` is read
 *   from the `run_id` index alone.
 * - History reads one index, `runs_by_time (started_at, num, status)`: newest first, `num`
 *   breaking ties, the status last, so a status filter reads the index alone and a run that ends
 *   moves its entry within one page (`runs_newest` and `runs_by_status` took a page each at a
 *   run's start, and the status index two more at its end).
 * - `leases` is WITHOUT ROWID: a lease taken or given back writes one page, not two.
 *
 * Runs on foreign keys off (the store turns them on after migrating): dropping the old `runs`
 * must not cascade to the signals and step waits that reference it by name.
 */
export const createWritePagesSchema = (db: Database.Database): void => {
  db.exec(`
    CREATE TABLE runs_keyed (
      num         INTEGER PRIMARY KEY,
      run_id      TEXT NOT NULL UNIQUE,
      pipeline    TEXT NOT NULL,
      version     TEXT NOT NULL,
      status      TEXT NOT NULL,
      params      TEXT NOT NULL,
      input       TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      started_at  INTEGER NOT NULL,
      ended_at    INTEGER,
      error       TEXT
    );
    INSERT INTO runs_keyed (num, run_id, pipeline, version, status, params, input, fingerprint, started_at, ended_at, error)
      SELECT num, run_id, pipeline, version, status, params, input, fingerprint, started_at, ended_at, error FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_keyed RENAME TO runs;
    CREATE INDEX runs_by_time ON runs (started_at, num, status);
    CREATE INDEX runs_by_pipeline ON runs (pipeline, started_at, num);

    CREATE TABLE leases_by_run (
      run_id     TEXT PRIMARY KEY,
      owner      TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      host       TEXT NOT NULL DEFAULT '',
      pid        INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO leases_by_run (run_id, owner, expires_at, host, pid) SELECT run_id, owner, expires_at, host, pid FROM leases;
    DROP TABLE leases;
    ALTER TABLE leases_by_run RENAME TO leases;
  `);
};
