import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MemoryStore } from '@pipewright/core';
import type { RunStore } from '@pipewright/core';
import { CliError } from './errors';

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

type SqliteStoreClass = new (options: { path: string }) => RunStore;

/**
 * `@pipewright/sqlite`'s `SqliteStore`, or `undefined` while that package does not export it.
 * Required lazily so that commands which never open a durable store do not load SQLite.
 */
const sqliteStoreClass = (): SqliteStoreClass | undefined => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = (require('@pipewright/sqlite') as Record<string, unknown>)['SqliteStore'];
  return typeof exported === 'function' ? (exported as SqliteStoreClass) : undefined;
};

/**
 * Opens the store a command works on: memory with `--memory`, else the SQLite file.
 * `durableOnly` commands (`runs`, `resume`) refuse a memory store: it would be empty.
 * Throws `CliError` (`STORE_UNAVAILABLE`, `BAD_OPTION`).
 */
export const openStore = (options: StoreOptions, durableOnly = false): OpenedStore => {
  if (options.memory === true) {
    if (options.store !== undefined) throw new CliError('BAD_OPTION', 'Give either --store <path> or --memory, not both.');
    if (durableOnly) throw new CliError('BAD_OPTION', 'A memory store keeps nothing between commands; drop --memory.');
    return { store: new MemoryStore(), path: undefined };
  }
  const SqliteStore = sqliteStoreClass();
  if (SqliteStore === undefined) {
    if (durableOnly || options.store !== undefined) {
      throw new CliError('STORE_UNAVAILABLE', 'No durable store: @pipewright/sqlite does not export SqliteStore in this installation; run with --memory.');
    }
    return { store: new MemoryStore(), path: undefined };
  }
  const path = resolve(options.store ?? DEFAULT_STORE_PATH);
  mkdirSync(dirname(path), { recursive: true });
  return { store: new SqliteStore({ path }), path };
};
