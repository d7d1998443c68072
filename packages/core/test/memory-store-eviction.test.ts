import { MemoryStore } from '@pipewright/core';
import type { RunRecord } from '@pipewright/core';

const record = (runId: string): RunRecord => ({
  runId,
  pipeline: 'p',
  version: '1',
  params: {},
  input: {},
  fingerprint: {},
  status: 'running',
  startedAt: 0,
  endedAt: undefined,
  error: undefined,
});

const kept = (store: MemoryStore, ids: readonly string[]): string[] => ids.filter((id) => store.getRun(id) !== undefined);

describe('MemoryStore: maxRuns', () => {
  it('forgets the runs that finished first, never a running one', () => {
    const store = new MemoryStore({ maxRuns: 2 });
    for (const id of ['slow', 'b', 'c', 'd']) store.beginRun(record(id));
    for (const id of ['b', 'c', 'd']) store.endRun(id, 'succeeded', 1, undefined);
    expect(kept(store, ['slow', 'b', 'c', 'd'])).toEqual(['slow', 'c', 'd']);
    // Started first, finished last: the newest finished run.
    store.endRun('slow', 'failed', 2, undefined);
    expect(kept(store, ['slow', 'b', 'c', 'd'])).toEqual(['slow', 'd']);
  });

  it('counts a resumed run as running again until it ends again', () => {
    const store = new MemoryStore({ maxRuns: 1 });
    store.beginRun(record('a'));
    store.endRun('a', 'failed', 1, undefined);
    store.beginRun(record('a')); // resumed
    store.beginRun(record('b'));
    store.endRun('b', 'succeeded', 2, undefined);
    store.beginRun(record('c'));
    store.endRun('c', 'succeeded', 3, undefined);
    expect(kept(store, ['a', 'b', 'c'])).toEqual(['a', 'c']);
    store.endRun('a', 'succeeded', 4, undefined);
    expect(kept(store, ['a', 'b', 'c'])).toEqual(['a']);
  });

  it('stays bounded over many runs on a long-lived engine', () => {
    const store = new MemoryStore({ maxRuns: 3 });
    const ids = Array.from({ length: 5000 }, (_, index) => `r${index}`);
    for (const id of ids) {
      store.beginRun(record(id));
      store.endRun(id, 'succeeded', 1, undefined);
    }
    expect(kept(store, ids)).toEqual(ids.slice(-3));
    expect(store.listRuns({ limit: 10 })).toHaveLength(3);
  });
});
