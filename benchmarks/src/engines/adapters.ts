import { BenchmarkError } from '../errors';
import type { EngineAdapter, EngineName, StoreName } from './engine-adapter';
import { pGraph } from './p-graph';
import { pipewright } from './pipewright';
import { pipewrightPostgres } from './pipewright-postgres';
import { promiseFloor } from './promise-floor';

/** The adapter for an engine × store; throws `BAD_OPTION` for a combination that does not exist. */
export const adapterFor = (engine: EngineName, store: StoreName): EngineAdapter => {
  if (engine === 'pipewright') return store === 'postgres' ? pipewrightPostgres() : pipewright(store);
  if (store !== 'memory') throw new BenchmarkError('BAD_OPTION', `Engine '${engine}' keeps nothing; only Pipewright has a '${store}' store.`);
  if (engine === 'promise-floor') return promiseFloor;
  if (engine === 'p-graph') return pGraph;
  throw new BenchmarkError('BAD_OPTION', `Unknown engine '${String(engine)}'.`);
};
