import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A fresh folder per test, removed afterwards. Call at the top of a `describe`. */
export const useTempDir = (): { readonly path: string; file(name: string): string } => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewright-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get path() {
      return dir;
    },
    file: (name: string) => join(dir, name),
  };
};

/** Opens the database with a connection of its own (what another process would see), runs `fn`, closes it. */
export const withConnection = <T>(path: string, fn: (db: Database.Database) => T): T => {
  const db = new Database(path, { fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
};

/** `PRAGMA integrity_check` of the file: `'ok'` when SQLite finds nothing wrong. */
export const integrityOf = (path: string): string =>
  withConnection(path, (db) => (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check).join('; '));

/**
 * The types of a run's journaled events, in order, as another connection (another process) sees
 * them in the file: each journal row holds the events of one commit as a JSON array, under the
 * ids `runs.num * 2^32 + seq`.
 */
export const journalTypes = (path: string, runId: string): string[] =>
  withConnection(path, (db) => {
    const num = db.prepare('SELECT num FROM runs WHERE run_id = ?').pluck().get(runId) as number | undefined;
    if (num === undefined) return [];
    const rows = db.prepare('SELECT events FROM journal WHERE id >= ? AND id < ? ORDER BY id').pluck().all(num * 2 ** 32, (num + 1) * 2 ** 32) as string[];
    return rows.flatMap((events) => (JSON.parse(events) as Array<{ type: string }>).map((event) => event.type));
  });
