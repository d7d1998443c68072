/**
 * @pipewright/postgres: the shared store. Runs, steps, the journal, artifacts, cache, leases and
 * stop requests in PostgreSQL, for several controller processes on one database.
 */
export { PostgresStore } from './postgres.store';
export type { PostgresStoreOptions } from './options';
export { PostgresArtifactStore } from './postgres-artifact.store';
export { PostgresStoreError } from './errors';
export type { PostgresStoreErrorCode } from './errors';
export { SCHEMA_VERSION } from './migrations';
