import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePipeline, Engine } from '@pipewright/core';
import type { PipelineDefinition, PipelineEvent, RunStore, StepContext } from '@pipewright/core';
import { BenchmarkError } from '../errors';
import type { Probe } from '../probe';
import type { Workload } from '../workload';
import type { EngineAdapter, PreparedRun, RunOutcome, StoreName } from './engine-adapter';

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

/** Builds the workload with the programmatic builder: one function step per step. */
export const definitionOf = (workload: Workload, probe: Probe): PipelineDefinition => {
  const { steps, names, parents } = workload;
  const builder = definePipeline({ name: `bench-${workload.shape}` });
  for (let i = 0; i < steps; i++) {
    const own = parents[i] as readonly number[];
    const step = async (ctx: StepContext): Promise<unknown> => probe.stepByName(i, ctx.parents);
    builder.addFunctionStep(names[i] as string, step, own.length > 0 ? { parents: own.map((p) => names[p] as string) } : {});
  }
  return builder.build();
};

/** Counts every event, as a real subscriber (a progress display, a journal) would see them. */
export class EventCounter {
  total = 0;
  succeeded = 0;
  ended = '';

  readonly next = (event: PipelineEvent): void => {
    this.total++;
    if (event.type === 'step.succeeded') this.succeeded++;
    else if (event.type.startsWith('run.') && event.type !== 'run.started') this.ended = event.type;
  };
}

/**
 * Pipewright through its public API: a fresh `Engine` (and store) per run, `engine.start()`, a
 * counting subscriber on `events$`, then `await run.result`. The definition is built once.
 */
export const pipewright = (store: StoreName): EngineAdapter => ({
  engine: 'pipewright',
  store,
  prepare(workload: Workload, probe: Probe): PreparedRun {
    const SqliteStore = store === 'sqlite' ? loadSqliteStore() : undefined;
    if (store === 'sqlite' && SqliteStore === undefined) {
      throw new BenchmarkError('ENGINE_UNAVAILABLE', '@pipewright/sqlite does not export SqliteStore yet.');
    }
    const definition = definitionOf(workload, probe);
    const { steps, names } = workload;
    return {
      async run(): Promise<RunOutcome> {
        const dir = SqliteStore ? mkdtempSync(join(tmpdir(), 'pipewright-bench-')) : undefined;
        const engine = new Engine(SqliteStore && dir ? { store: new SqliteStore({ path: join(dir, 'runs.db') }) } : {});
        const counter = new EventCounter();
        const run = engine.start(definition);
        run.events$.subscribe(counter);
        const result = await run.result;
        const label = `pipewright (${store}) on ${workload.shape} of ${steps} steps`;
        if (result.status !== 'succeeded') {
          throw new BenchmarkError('WRONG_RESULT', `${label}: the run ended ${result.status}: ${result.error?.message ?? 'no error'}.`);
        }
        if (counter.succeeded !== steps || counter.ended !== 'run.succeeded' || counter.total < 4 * steps + 2) {
          throw new BenchmarkError(
            'WRONG_RESULT',
            `${label}: the subscriber saw ${counter.total} events, ${counter.succeeded} step.succeeded and end '${counter.ended}'; expected ≥ ${4 * steps + 2}, ${steps} and 'run.succeeded'.`,
          );
        }
        return {
          outputOf: (i) => result.steps[names[i] as string]?.output,
          async dispose() {
            await engine.close();
            if (dir) rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    };
  },
});
