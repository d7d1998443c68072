import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePipeline, Engine } from '@pipewright/core';
import type { PipelineDefinition, RunStore, StepContext } from '@pipewright/core';
import { BenchmarkError } from '../errors';
import type { Probe } from '../probe';
import type { Workload } from '../workload';
import type { EngineAdapter, PreparedRun, PrepareOptions, RunOutcome, StoreName } from './engine-adapter';
import { checkRun, EventCounter } from './run-check';
import { spawnDefinitionOf } from './spawn-definition';

export { EventCounter } from './run-check';

/** The constructor `@pipewright/sqlite` exports once it is built. */
type SqliteStoreClass = new (options: { path: string }) => RunStore;

/**
 * `SqliteStore` if `@pipewright/sqlite` exports it yet, else `undefined`. Loaded loosely so the
 * benchmark type-checks and runs before that package is finished.
 */
export const loadSqliteStore = (): SqliteStoreClass | undefined => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: only the commands that use it pay for it
    const sqlite = require('@pipewright/sqlite') as { SqliteStore?: unknown };
    return typeof sqlite.SqliteStore === 'function' ? (sqlite.SqliteStore as SqliteStoreClass) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Builds the workload with the programmatic builder: one function step per step, or for `spawn`
 * one step that spawns the others.
 */
export const definitionOf = (workload: Workload, probe: Probe): PipelineDefinition => {
  if (workload.shape === 'spawn') return spawnDefinitionOf(workload, probe);
  const { steps, names, parents } = workload;
  const builder = definePipeline({ name: `bench-${workload.shape}` });
  for (let i = 0; i < steps; i++) {
    const own = parents[i] as readonly number[];
    const step = async (ctx: StepContext): Promise<unknown> => probe.stepByName(i, ctx.parents);
    builder.addFunctionStep(names[i] as string, step, own.length > 0 ? { parents: own.map((p) => names[p] as string) } : {});
  }
  return builder.build();
};

/** An engine on the chosen store; for SQLite, on a fresh file in a fresh directory. */
const openEngine = (SqliteStore: SqliteStoreClass | undefined): { engine: Engine; dispose(): Promise<void> } => {
  const dir = SqliteStore ? mkdtempSync(join(tmpdir(), 'pipewright-bench-')) : undefined;
  const engine = new Engine(SqliteStore && dir ? { store: new SqliteStore({ path: join(dir, 'runs.db') }) } : {});
  return {
    engine,
    async dispose() {
      await engine.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
};

/**
 * Pipewright through its public API: `engine.start()`, a counting subscriber on `events$`, then
 * `await run.result`. The definition is built once. The engine (and store) is fresh per run, or
 * with `longLived` built once in `prepare` and used by every run (one SQLite file for them all).
 */
export const pipewright = (store: StoreName): EngineAdapter => ({
  engine: 'pipewright',
  store,
  prepare(workload: Workload, probe: Probe, options: PrepareOptions = {}): PreparedRun {
    const SqliteStore = store === 'sqlite' ? loadSqliteStore() : undefined;
    if (store === 'sqlite' && SqliteStore === undefined) {
      throw new BenchmarkError('ENGINE_UNAVAILABLE', '@pipewright/sqlite does not export SqliteStore yet.');
    }
    const definition = definitionOf(workload, probe);
    const { steps, names } = workload;
    const label = `pipewright (${store}) on ${workload.shape} of ${steps} steps`;
    const shared = options.longLived === true ? openEngine(SqliteStore) : undefined;
    return {
      async run(): Promise<RunOutcome> {
        const own = shared === undefined ? openEngine(SqliteStore) : undefined;
        const { engine } = (own ?? shared) as { engine: Engine };
        const counter = new EventCounter();
        const run = engine.start(definition);
        run.events$.subscribe(counter);
        const result = await run.result;
        checkRun(label, result, counter, steps, 4 * steps + 2);
        return { outputOf: (i) => result.steps[names[i] as string]?.output, ...(own ? { dispose: () => own.dispose() } : {}) };
      },
      ...(shared ? { close: () => shared.dispose() } : {}),
    };
  },
});
