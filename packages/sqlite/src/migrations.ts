import type Database from 'better-sqlite3';
import { SqliteStoreError } from './errors';
import { createJournalSchema } from './journal-schema';
import { createWaitsSchema } from './waits-schema';
import { createWritePagesSchema } from './write-pages-schema';

/** One step of the schema: moves a database from version `index` to `index + 1`. */
export interface Migration {
  /** What the migration does, for error messages. */
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/**
 * The schema, as the migrations that build it. Append only: a released migration never
 * changes, because databases in the field have already run it. The schema version is the
 * number of migrations applied, kept in SQLite's `user_version`.
 */
export const migrations: readonly Migration[] = [
  {
    description: 'runs, steps, events, artifacts, cache entries and leases',
    up: (db) =>
      db.exec(`
        CREATE TABLE runs (
          run_id      TEXT PRIMARY KEY,
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
        -- History reads these backwards; the rowid (order of first start) breaks ties.
        CREATE INDEX runs_newest ON runs (started_at);
        CREATE INDEX runs_by_pipeline ON runs (pipeline, started_at);
        CREATE INDEX runs_by_status ON runs (status, started_at);

        -- Steps and events are WITHOUT ROWID tables clustered by run: a commit rewrites one
        -- page of each, where a rowid table plus its index would rewrite two.
        CREATE TABLE steps (
          run_id     TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
          step       TEXT NOT NULL,
          -- Order of the step's first save in its run: how a run's steps read back.
          position   INTEGER NOT NULL,
          status     TEXT NOT NULL,
          output     TEXT,
          attempts   INTEGER NOT NULL,
          error      TEXT,
          started_at INTEGER,
          ended_at   INTEGER,
          metrics    TEXT NOT NULL,
          logs       TEXT NOT NULL,
          artifacts  TEXT NOT NULL,
          PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;

        CREATE TABLE events (
          run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
          -- Position of the event in its run's journal, from 1.
          seq    INTEGER NOT NULL,
          type   TEXT NOT NULL,
          step   TEXT,
          at     INTEGER NOT NULL,
          body   TEXT NOT NULL,
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;

        -- Every blob stored, whether or not its step kept it: what a garbage collector needs.
        CREATE TABLE artifacts (
          id         TEXT PRIMARY KEY,
          run_id     TEXT NOT NULL,
          step       TEXT NOT NULL,
          name       TEXT NOT NULL,
          hash       TEXT NOT NULL,
          size       INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX artifacts_by_run ON artifacts (run_id, step);
        CREATE INDEX artifacts_by_hash ON artifacts (hash);

        CREATE TABLE cache (
          key        TEXT PRIMARY KEY,
          pipeline   TEXT NOT NULL,
          step       TEXT NOT NULL,
          output     TEXT,
          artifacts  TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );

        CREATE TABLE leases (
          run_id     TEXT PRIMARY KEY,
          owner      TEXT NOT NULL,
          expires_at INTEGER NOT NULL
        );
      `),
  },
  {
    description: "leases record the driver's host and pid; stop requests",
    up: (db) =>
      db.exec(`
        -- Who drives a run: on the same host, a lease whose process is dead is free at once.
        ALTER TABLE leases ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE leases ADD COLUMN pid  INTEGER NOT NULL DEFAULT 0;

        -- engine.stopRun() from any process: the driving engine polls for its runs' requests.
        CREATE TABLE stop_requests (
          run_id       TEXT PRIMARY KEY,
          reason       TEXT NOT NULL,
          requested_at INTEGER NOT NULL
        );
      `),
  },
  {
    description: 'signals, step waits, schedules and their claimed ticks',
    up: createWaitsSchema,
  },
  {
    description: 'the journal keeps one row of events per run and commit',
    up: createJournalSchema,
  },
  {
    description: 'runs keyed by num, one history index, leases WITHOUT ROWID: fewer pages written per run',
    up: createWritePagesSchema,
  },
];

/** The schema version this package writes. */
export const SCHEMA_VERSION = migrations.length;

/** Throws `SCHEMA_TOO_NEW` when the file was written by a newer schema than `list` builds. */
export const assertSupported = (db: Database.Database, list: readonly Migration[], path: string): number => {
  const found = db.pragma('user_version', { simple: true }) as number;
  const supported = list.length;
  if (found > supported) {
    throw new SqliteStoreError(
      'SCHEMA_TOO_NEW',
      `The database ${path} has schema version ${found}, but this @pipewright/sqlite supports up to version ${supported}: it was written by a newer version. Upgrade @pipewright/sqlite to open it.`,
      { path, foundVersion: found, supportedVersion: supported },
    );
  }
  return found;
};

/**
 * Brings `db` up to `list.length`, each pending migration in order, all in one immediate
 * transaction: two processes opening a new file at once migrate it once, and a failing
 * migration leaves the file at its previous version. Refuses a file newer than `list`.
 */
export const migrate = (db: Database.Database, list: readonly Migration[], path: string): number => {
  const supported = list.length;
  const apply = db.transaction(() => {
    // Read inside the write transaction: another process may have migrated meanwhile.
    const found = assertSupported(db, list, path);
    for (let version = found; version < supported; version++) {
      const migration = list[version] as Migration;
      try {
        migration.up(db);
      } catch (error) {
        throw new SqliteStoreError(
          'MIGRATION_FAILED',
          `Migrating ${path} from schema version ${version} to ${version + 1} (${migration.description}) failed: ${error instanceof Error ? error.message : String(error)}. The database was left at version ${found}.`,
          { path, foundVersion: found, supportedVersion: supported, cause: error },
        );
      }
    }
    if (found !== supported) db.pragma(`user_version = ${supported}`);
    return supported;
  });
  return apply.immediate();
};
