/** @pipewright/sqlite: the durable store. Runs, steps, events, artifacts, cache and leases in one SQLite file. */
export { SqliteStore } from './sqlite.store';
export type { SqliteStoreOptions } from './options';
export { SqliteArtifactStore } from './sqlite-artifact.store';
export { SqliteStoreError } from './errors';
export type { SqliteStoreErrorCode } from './errors';
export { SCHEMA_VERSION } from './migrations';
