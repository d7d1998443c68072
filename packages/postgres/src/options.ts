import type { Pool } from 'pg';
import type { ArtifactStore } from '@pipewright/core';
import { PostgresStoreError } from './errors';

/** Options of {@link PostgresStore}: a `connectionString` or a `pool`. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; the store opens (and closes) its own pool. */
  readonly connectionString?: string;
  /**
   * A `pg` pool of your own instead (the store never ends it). Give it an `'error'` listener:
   * `pg` emits one there when an idle connection's backend is terminated.
   */
  readonly pool?: Pool;
  /** The Postgres schema (namespace) of the store's tables, created when missing. Default `pipewright`. */
  readonly schema?: string;
  /** Where artifact bytes go. Default: the database itself (`PostgresArtifactStore`, a `BYTEA` per distinct content). */
  readonly artifacts?: ArtifactStore;
  /** How many times a statement whose connection was lost is sent again on a fresh one. Default 3 (after 50, 200, 800 ms). */
  readonly reconnectAttempts?: number;
  /** Size of the pool the store opens from `connectionString`. Default 10. */
  readonly maxConnections?: number;
}

/** The options, checked, with the identifiers they imply. */
export interface CheckedOptions {
  readonly schema: string;
  readonly quotedSchema: string;
  /** The NOTIFY channel of the schema's journal, and its quoted identifier for LISTEN. */
  readonly channel: string;
  readonly quotedChannel: string;
  readonly reconnectAttempts: number;
  readonly maxConnections: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

const invalid = (message: string): PostgresStoreError => new PostgresStoreError('INVALID_OPTION', message);

/** Throws `INVALID_OPTION` for options that cannot describe a database. */
export const checkOptions = (options: PostgresStoreOptions): CheckedOptions => {
  const { connectionString, pool } = options ?? {};
  if ((connectionString === undefined) === (pool === undefined)) {
    throw invalid('PostgresStore needs exactly one of `connectionString` (postgres://user@host:5432/database) and `pool` (a pg Pool).');
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
    throw invalid(`connectionString must be a non-empty string, got ${JSON.stringify(connectionString)}.`);
  }
  const schema = options.schema ?? 'pipewright';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw invalid(`schema must be a lower-case SQL identifier of at most 40 characters (letters, digits, _), got ${JSON.stringify(schema)}.`);
  }
  const reconnectAttempts = options.reconnectAttempts ?? 3;
  if (!Number.isInteger(reconnectAttempts) || reconnectAttempts < 0 || reconnectAttempts > 10) {
    throw invalid(`reconnectAttempts must be an integer from 0 to 10, got ${String(reconnectAttempts)}.`);
  }
  const maxConnections = options.maxConnections ?? 10;
  if (!Number.isInteger(maxConnections) || maxConnections < 2) {
    // One connection is held by LISTEN while a run is watched; commits and reads need another.
    throw invalid(`maxConnections must be an integer ≥ 2, got ${String(maxConnections)}.`);
  }
  const channel = `pipewright_${schema}`;
  return { schema, quotedSchema: `"${schema}"`, channel, quotedChannel: `"${channel}"`, reconnectAttempts, maxConnections };
};
