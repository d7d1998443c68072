import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteStoreError } from './errors';
import { settleHeld } from './held-transactions';
import { assertSupported, migrate, migrations } from './migrations';
import { describeOpenError, openDatabase } from './open-database';
import type { SqliteStoreOptions } from './options';

/** A store's database, opened and migrated, with its validated options. */
export interface OpenedStore {
  readonly db: Database.Database;
  /** The database file's absolute path. */
  readonly path: string;
  readonly commitEvery: 'batch' | 'outcome' | 'event';
}

/**
 * Validates the options and opens the file: WAL, the busy timeout, foreign keys, and the schema
 * migrated to this version (a newer schema's file is refused untouched). Every failure is a
 * `SqliteStoreError` naming the option or the path.
 */
export const openStore = (options: SqliteStoreOptions): OpenedStore => {
  if (typeof options?.path !== 'string' || options.path === '' || options.path === ':memory:' || options.path.startsWith('file::memory:')) {
    throw new SqliteStoreError('INVALID_OPTION', `SqliteStore needs the path of a database file, got ${JSON.stringify(options?.path)}; use MemoryStore for runs that need not outlive the process.`);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const commitEvery = options.commitEvery ?? 'batch';
  if (commitEvery !== 'batch' && commitEvery !== 'outcome' && commitEvery !== 'event') {
    throw new SqliteStoreError('INVALID_OPTION', `commitEvery must be 'batch', 'outcome' or 'event', got ${JSON.stringify(options.commitEvery)}.`);
  }
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new SqliteStoreError('INVALID_OPTION', `busyTimeoutMs must be an integer ≥ 0, got ${String(busyTimeoutMs)}.`);
  }
  const path = resolve(options.path);
  const db = openDatabase(path, busyTimeoutMs, options.mustExist === true);
  try {
    // The busy timeout first: switching to WAL and migrating take locks another process may hold.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Or another store of this process, holding a lease's transaction open: it commits now.
    settleHeld(path);
    // Before anything changes the file: a newer schema's file is refused untouched.
    assertSupported(db, migrations, path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // Off while migrating (better-sqlite3 turns them on by default): a migration that rebuilds a
    // table others reference must not cascade to them. Outside the migration's transaction,
    // where SQLite ignores this pragma.
    db.pragma('foreign_keys = OFF');
    migrate(db, migrations, path);
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw describeOpenError(error, path);
  }
  return { db, path, commitEvery };
};
