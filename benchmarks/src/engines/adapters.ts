import { BenchmarkError } from '../errors';
import type { Shape } from '../workload';
import type { EngineAdapter, EngineName, StoreName } from './engine-adapter';
import { pGraph } from './p-graph';
import { pipewright } from './pipewright';
import { pipewrightPostgres } from './pipewright-postgres';
import { promiseFloor } from './promise-floor';

/**
 * The adapter for an engine × store on a workload; throws `BAD_OPTION` for a combination that
 * does not exist (a store for an engine that keeps nothing, `ctx.spawn` outside Pipewright).
 */
export const adapterFor = (engine: EngineName, store: StoreName, shape?: Shape): EngineAdapter => {
  if (shape === 'spawn' && engine !== 'pipewright') throw new BenchmarkError('BAD_OPTION', `The spawn workload needs ctx.spawn; '${engine}' has none.`);
  if (engine === 'pipewright') return store === 'postgres' ? pipewrightPostgres() : pipewright(store);
  if (store !== 'memory') throw new BenchmarkError('BAD_OPTION', `Engine '${engine}' keeps nothing; only Pipewright has a '${store}' store.`);
  if (engine === 'promise-floor') return promiseFloor;
  if (engine === 'p-graph') return pGraph;
  throw new BenchmarkError('BAD_OPTION', `Unknown engine '${String(engine)}'.`);
};
