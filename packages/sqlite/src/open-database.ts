import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PipewrightError } from '@pipewright/core';
import { SqliteStoreError } from './errors';

const codeOf = (error: unknown): string => (typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '');

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A failure to open or prepare the database file as a {@link SqliteStoreError} naming the path:
 * `NOT_A_DATABASE`, `READ_ONLY` or `CANNOT_OPEN` (the store's own errors pass through).
 */
export const describeOpenError = (error: unknown, path: string): Error => {
  if (error instanceof PipewrightError) return error;
  const code = codeOf(error);
  const cause = { path, cause: error };
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new SqliteStoreError('NOT_A_DATABASE', `${path} is not a Pipewright SQLite database (${messageOf(error)}); point the store at another file.`, cause);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new SqliteStoreError('READ_ONLY', `Cannot write the database ${path} (${messageOf(error)}): make the file and its folder writable, or use another path.`, cause);
  }
  return new SqliteStoreError('CANNOT_OPEN', `Cannot open the database ${path}: ${messageOf(error)}.`, cause);
};

const writable = (folder: string): boolean => {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Opens (creating when allowed) the database file at the absolute `path`, with its folder.
 * Throws {@link SqliteStoreError}: `NOT_FOUND` (with `mustExist`), `CANNOT_OPEN` (a folder, or a
 * regular file where a folder of the path should be), `READ_ONLY`.
 */
export const openDatabase = (path: string, busyTimeoutMs: number, mustExist: boolean): Database.Database => {
  if (mustExist && !existsSync(path)) {
    throw new SqliteStoreError('NOT_FOUND', `No database at ${path}: check the path (this command does not create one).`, { path });
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new SqliteStoreError('CANNOT_OPEN', `Cannot open the database ${path}: it is a folder; give the path of a file inside it.`, { path });
  }
  // SQLite would open a read-only file read-only without a word, and fail at the first write.
  if (existsSync(path) && !writable(path)) {
    throw new SqliteStoreError('READ_ONLY', `Cannot write the database ${path}: the file is read-only; make it writable, or use another path.`, { path });
  }
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const blocked = codeOf(error) === 'EEXIST' || codeOf(error) === 'ENOTDIR';
    if (!blocked) throw describeOpenError(error, path);
    throw new SqliteStoreError('CANNOT_OPEN', `Cannot open the database ${path}: a part of its folder ${folder} is a file, not a folder.`, { path, cause: error });
  }
  try {
    return new Database(path, { timeout: busyTimeoutMs, fileMustExist: mustExist });
  } catch (error) {
    // SQLite says only "unable to open": a folder it may not create the file in is the usual reason.
    if (codeOf(error) === 'SQLITE_CANTOPEN' && !writable(folder)) {
      throw new SqliteStoreError('READ_ONLY', `Cannot create the database ${path}: its folder ${folder} is not writable.`, { path, cause: error });
    }
    throw describeOpenError(error, path);
  }
};
