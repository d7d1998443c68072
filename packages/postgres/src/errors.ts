import { PipewrightError } from '@pipewright/core';

/** Codes of {@link PostgresStoreError}. */
export type PostgresStoreErrorCode =
  /** The database's Pipewright schema was written by a newer `@pipewright/postgres` than this one. */
  | 'SCHEMA_TOO_NEW'
  /** A migration failed; the schema was left at its previous version. */
  | 'MIGRATION_FAILED'
  /** A value cannot be stored as JSON without changing it. */
  | 'NOT_SERIALIZABLE'
  /** A step or event was written for a run that was never begun. */
  | 'UNKNOWN_RUN'
  /** The store was used after `close()`. */
  | 'STORE_CLOSED'
  /** The options cannot describe a database (no connection string or pool, a bad schema name). */
  | 'INVALID_OPTION'
  /** The server cannot be reached, or the connection was lost (and, for a commit, lost again on a fresh one). */
  | 'CONNECTION_LOST'
  /** The server refused a statement for another reason (its message is in `cause`). */
  | 'QUERY_FAILED';

/** Everything `@pipewright/postgres` throws, with a stable `code`. */
export class PostgresStoreError extends PipewrightError {
  static override readonly kind = 'PostgresStoreError';
  declare readonly code: PostgresStoreErrorCode;
  /** The Postgres schema (namespace) of the store's tables. */
  readonly schema: string | undefined;
  /** For `SCHEMA_TOO_NEW` and `MIGRATION_FAILED`: the schema version found in the database. */
  readonly foundVersion: number | undefined;
  /** For `SCHEMA_TOO_NEW` and `MIGRATION_FAILED`: the newest schema version this package knows. */
  readonly supportedVersion: number | undefined;
  /** The server's SQLSTATE (or the driver's error code) when a statement failed. */
  readonly sqlState: string | undefined;

  constructor(
    code: PostgresStoreErrorCode,
    message: string,
    context: { schema?: string; foundVersion?: number; supportedVersion?: number; sqlState?: string; cause?: unknown } = {},
  ) {
    super(code, message, context.cause === undefined ? undefined : { cause: context.cause });
    this.schema = context.schema;
    this.foundVersion = context.foundVersion;
    this.supportedVersion = context.supportedVersion;
    this.sqlState = context.sqlState;
  }
}

const codeOf = (error: unknown): string => (typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '');

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * `true` for a failure of the connection rather than of the statement: the socket closed or was
 * refused, the backend was terminated (`pg_terminate_backend`, a server restart), or the database
 * does not accept connections now. Such a statement may be tried again on a fresh connection.
 */
export const isConnectionError = (error: unknown): boolean => {
  const code = codeOf(error);
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
  if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
  // 55000 on connect: the database was set not to accept connections (ALLOW_CONNECTIONS false).
  if (code === '55000' && /not currently accepting connections/.test(messageOf(error))) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  return code === '' && /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(messageOf(error));
};

/**
 * A driver or server failure as a {@link PostgresStoreError}: `CONNECTION_LOST` for a connection
 * failure, `UNKNOWN_RUN` for a write to a run that has no record, `QUERY_FAILED` otherwise.
 */
export const describeFailure = (error: unknown, what: string, schema: string): Error => {
  if (error instanceof PipewrightError) return error;
  const sqlState = codeOf(error) || undefined;
  const context = { schema, cause: error, ...(sqlState === undefined ? {} : { sqlState }) };
  if (isConnectionError(error)) {
    return new PostgresStoreError('CONNECTION_LOST', `Lost the connection to PostgreSQL while ${what}: ${messageOf(error)}. The store opens a fresh connection on its next use.`, context);
  }
  if (sqlState === '23503') {
    return new PostgresStoreError('UNKNOWN_RUN', `While ${what}: a write names a run that was never begun (${messageOf(error)}).`, context);
  }
  return new PostgresStoreError('QUERY_FAILED', `PostgreSQL refused ${what}: ${messageOf(error)}.`, context);
};
