import { PipewrightError } from '@pipewright/core';

/** Codes of {@link SqliteStoreError}. */
export type SqliteStoreErrorCode =
  /** The database was written by a newer `@pipewright/sqlite` than this one. */
  | 'SCHEMA_TOO_NEW'
  /** A migration failed; the database was left at its previous version. */
  | 'MIGRATION_FAILED'
  /** A value cannot be stored as JSON without changing it. */
  | 'NOT_SERIALIZABLE'
  /** A step was saved for a run that was never begun. */
  | 'UNKNOWN_RUN'
  /** A commit was retried after a failure, and another process had taken the lease it held meanwhile: the run's writes were not committed. */
  | 'LEASE_LOST'
  /** The store was used after `close()`. */
  | 'STORE_CLOSED'
  /** The options cannot describe a durable database (for example `path: ':memory:'`). */
  | 'INVALID_OPTION'
  /** `mustExist` was set and there is no file at the path. */
  | 'NOT_FOUND'
  /** The file exists but is not a SQLite database. */
  | 'NOT_A_DATABASE'
  /** The file or its folder cannot be written. */
  | 'READ_ONLY'
  /** The path cannot hold a database: a folder, or a file stands where a folder should. */
  | 'CANNOT_OPEN';

/** Everything `@pipewright/sqlite` throws, with a stable `code`. */
export class SqliteStoreError extends PipewrightError {
  static override readonly kind = 'SqliteStoreError';
  declare readonly code: SqliteStoreErrorCode;
  /** The database file concerned. */
  readonly path: string | undefined;
  /** For `SCHEMA_TOO_NEW`: the schema version found in the file. */
  readonly foundVersion: number | undefined;
  /** For `SCHEMA_TOO_NEW` and `MIGRATION_FAILED`: the newest schema version this package knows. */
  readonly supportedVersion: number | undefined;

  constructor(
    code: SqliteStoreErrorCode,
    message: string,
    context: { path?: string; foundVersion?: number; supportedVersion?: number; cause?: unknown } = {},
  ) {
    super(code, message, context.cause === undefined ? undefined : { cause: context.cause });
    this.path = context.path;
    this.foundVersion = context.foundVersion;
    this.supportedVersion = context.supportedVersion;
  }
}
