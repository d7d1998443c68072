import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Engine } from '@pipewright/core';
import type { RunStore } from '@pipewright/core';
import { BenchmarkError } from '../errors';
import type { Probe } from '../probe';
import type { Workload } from '../workload';
import type { EngineAdapter, PreparedRun, PrepareOptions, RunOutcome } from './engine-adapter';
import { definitionOf } from './pipewright';
import { checkRun, EventCounter } from './run-check';

/** The server the Postgres row uses (a database of its own is created and dropped): $PIPEWRIGHT_BENCH_POSTGRES. */
export const BENCH_POSTGRES = process.env.PIPEWRIGHT_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';

/** The constructor `@pipewright/postgres` exports. */
type PostgresStoreClass = new (options: { connectionString: string; schema?: string }) => RunStore;

/** `PostgresStore` if `@pipewright/postgres` loads, else `undefined`. */
export const loadPostgresStore = (): PostgresStoreClass | undefined => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: only the commands that use it pay for it
    const postgres = require('@pipewright/postgres') as { PostgresStore?: unknown };
    return typeof postgres.PostgresStore === 'function' ? (postgres.PostgresStore as PostgresStoreClass) : undefined;
  } catch {
    return undefined;
  }
};

const admin = async (sql: string, database = 'postgres'): Promise<void> => {
  const client = new Client({ connectionString: `${BENCH_POSTGRES}/${database}` });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new BenchmarkError('ENGINE_UNAVAILABLE', `pipewright:postgres needs a PostgreSQL server at ${BENCH_POSTGRES} ($PIPEWRIGHT_BENCH_POSTGRES): ${String(error)}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/**
 * Pipewright on `PostgresStore`: a database of its own for the measurement (created on the first,
 * warm-up, run; dropped at the end), and a fresh schema per run, so each timed run creates its
 * schema as the SQLite row creates its file. `await engine.begin()` (the store is asynchronous),
 * a counting subscriber on `events$`, then `await run.result`.
 */
export const pipewrightPostgres = (): EngineAdapter => ({
  engine: 'pipewright',
  store: 'postgres',
  prepare(workload: Workload, probe: Probe, options: PrepareOptions = {}): PreparedRun {
    if (options.longLived === true) throw new BenchmarkError('BAD_OPTION', 'pipewright:postgres runs on a fresh schema per run; it has no long-lived mode (the small workload).');
    const PostgresStore = loadPostgresStore();
    if (PostgresStore === undefined) throw new BenchmarkError('ENGINE_UNAVAILABLE', '@pipewright/postgres does not load.');
    const definition = definitionOf(workload, probe);
    const { steps, names } = workload;
    const database = `pw_bench_${randomBytes(6).toString('hex')}`;
    let created: Promise<void> | undefined;
    let runs = 0;
    return {
      async run(): Promise<RunOutcome> {
        created ??= admin(`CREATE DATABASE "${database}"`);
        await created;
        const schema = `run_${++runs}`;
        const engine = new Engine({ store: new PostgresStore({ connectionString: `${BENCH_POSTGRES}/${database}`, schema }) });
        const counter = new EventCounter();
        const run = await engine.begin(definition);
        run.events$.subscribe(counter);
        const result = await run.result;
        checkRun(`pipewright (postgres) on ${workload.shape} of ${steps} steps`, result, counter, steps, 4 * steps + 1);
        return {
          outputOf: (i) => result.steps[names[i] as string]?.output,
          async dispose() {
            await engine.close();
            await admin(`DROP SCHEMA "${schema}" CASCADE`, database);
          },
        };
      },
      async close() {
        if (created !== undefined) await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      },
    };
  },
});
