import { resolve } from 'node:path';
import { MemoryStore } from '@pipewright/core';
import type { RunStore } from '@pipewright/core';
import { CliError } from './errors';
import { requireOptional } from './optional-package';

/** Where the CLI keeps runs unless told otherwise, relative to the working directory. */
export const DEFAULT_STORE_PATH = '.pipewright/runs.db';

/** Store options shared by the commands. */
export interface StoreOptions {
  /** SQLite file; {@link DEFAULT_STORE_PATH} by default. */
  readonly store?: string;
  /** Keep the run in memory only (nothing to list or resume afterwards). */
  readonly memory?: boolean;
}

/** An open store and, for a durable one, the absolute path of its file. */
export interface OpenedStore {
  readonly store: RunStore;
  readonly path: string | undefined;
}

/**
 * Opens the store a command works on: memory with `--memory`, else the SQLite file (its
 * folder is created when missing). `durableOnly` commands (`runs`, `resume`) refuse a memory
 * store, which would be empty, and a `--store` file that does not exist. Throws `CliError`
 * (`BAD_OPTION`), or `SqliteStoreError` for a path that is not a usable database.
 */
export const openStore = (options: StoreOptions, durableOnly = false): OpenedStore => {
  if (options.memory === true) {
    if (options.store !== undefined) throw new CliError('BAD_OPTION', 'Give either --store <path> or --memory, not both.');
    if (durableOnly) throw new CliError('BAD_OPTION', 'A memory store keeps nothing between commands; drop --memory.');
    return { store: new MemoryStore(), path: undefined };
  }
  // Required here rather than imported: `graph` and memory runs never load SQLite.
  const { SqliteStore } = requireOptional<typeof import('@pipewright/sqlite')>('@pipewright/sqlite', 'Keeping runs', ', or run with --memory');
  const path = resolve(options.store ?? DEFAULT_STORE_PATH);
  // Commands that read or continue runs must not create an empty database at a path the user typed.
  return { store: new SqliteStore({ path, mustExist: durableOnly && options.store !== undefined }), path };
};
