import type { CacheEntry, RunRecord, RunStore, StepResult } from '@pipewright/core';

/** A store to test, and how to release what it holds (files, databases) afterwards. */
export interface ContractSubject {
  readonly store: RunStore;
  cleanup?(): Promise<void> | void;
}

const record = (runId: string, overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId,
  pipeline: 'contract',
  version: '1.0.0',
  params: { rows: 10 },
  input: { rows: 10, 'train.lr': 0.1 },
  fingerprint: { a: 'hash-a' },
  status: 'running',
  startedAt: 1_000,
  endedAt: undefined,
  error: undefined,
  ...overrides,
});

const step = (overrides: Partial<StepResult> = {}): StepResult => ({
  status: 'running',
  output: undefined,
  attempts: 1,
  error: undefined,
  startedAt: 1_001,
  endedAt: undefined,
  metrics: {},
  logs: [],
  artifacts: {},
  ...overrides,
});

const cacheEntry = (key: string, output: unknown): CacheEntry => ({ key, pipeline: 'contract', step: 'a', output, artifacts: {}, createdAt: 5 });

/**
 * The behaviour every `RunStore` shares (memory, SQLite, Postgres, yours): the engine relies on
 * nothing else. Every call is awaited, so synchronous and asynchronous stores run the same specs.
 */
export const describeRunStoreContract = (name: string, open: () => ContractSubject | Promise<ContractSubject>): void => {
  describe(`RunStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: RunStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      jest.useRealTimers();
      await store.close();
      await subject.cleanup?.();
    });

    const begin = async (runId: string, overrides: Partial<RunRecord> = {}): Promise<void> => {
      store.beginRun(record(runId, overrides));
      await store.commit();
    };

    it('keeps a committed run with its record as given and no steps', async () => {
      await begin('r1');
      expect(await store.getRun('r1')).toEqual({ run: record('r1'), steps: {} });
      expect(await store.getRun('nope')).toBeUndefined();
    });

    it('keeps the latest state of each step, outputs as JSON', async () => {
      await begin('r1');
      store.saveStep('r1', 'a', step());
      store.saveStep('r1', 'a', step({ status: 'succeeded', output: { list: [1, 'x', null], nested: { ok: true } }, endedAt: 1_002 }));
      store.saveStep('r1', '__proto__', step({ status: 'succeeded', output: 7, endedAt: 1_003 }));
      await store.commit();
      const stored = await store.getRun('r1');
      expect(stored?.steps.a).toEqual(step({ status: 'succeeded', output: { list: [1, 'x', null], nested: { ok: true } }, endedAt: 1_002 }));
      expect(Object.keys(stored?.steps ?? {}).sort()).toEqual(['__proto__', 'a']);
      expect(Object.getOwnPropertyDescriptor(stored?.steps, '__proto__')?.value).toMatchObject({ output: 7 });
    });

    it('records how a run ended, with its error', async () => {
      await begin('r1');
      store.endRun('r1', 'failed', 2_000, { message: 'boom', code: 'STEP_FAILED', name: 'StepError' });
      await store.commit();
      expect((await store.getRun('r1'))?.run).toMatchObject({ status: 'failed', endedAt: 2_000, error: { message: 'boom', code: 'STEP_FAILED', name: 'StepError' } });
    });

    it('replaces the record of a resumed run and keeps its steps', async () => {
      await begin('r1');
      store.saveStep('r1', 'a', step({ status: 'succeeded', output: 1, endedAt: 1_002 }));
      store.endRun('r1', 'failed', 2_000, undefined);
      await store.commit();
      await begin('r1', { startedAt: 1_000 });
      const stored = await store.getRun('r1');
      expect(stored?.run.status).toBe('running');
      expect(stored?.steps.a).toMatchObject({ status: 'succeeded', output: 1 });
    });

    it('lists runs newest first, filtered by pipeline and status, limited', async () => {
      await begin('old', { startedAt: 1 });
      await begin('mid', { startedAt: 2, pipeline: 'other' });
      await begin('new', { startedAt: 3 });
      store.endRun('new', 'succeeded', 4, undefined);
      await store.commit();
      const ids = async (query?: Parameters<RunStore['listRuns']>[0]) => (await store.listRuns(query)).map((run) => run.runId);
      expect(await ids()).toEqual(['new', 'mid', 'old']);
      expect(await ids({ pipeline: 'contract' })).toEqual(['new', 'old']);
      expect(await ids({ status: 'running' })).toEqual(['mid', 'old']);
      expect(await ids({ status: 'succeeded', pipeline: 'contract' })).toEqual(['new']);
      expect(await ids({ limit: 2 })).toEqual(['new', 'mid']);
      expect(await ids({ limit: 0 })).toEqual([]);
      expect((await store.listRuns({ limit: 1 }))[0]).toEqual({ runId: 'new', pipeline: 'contract', version: '1.0.0', status: 'succeeded', startedAt: 3, endedAt: 4 });
    });

    it('keeps, replaces and misses cache entries by key', async () => {
      expect(await store.getCache('k')).toBeUndefined();
      store.putCache(cacheEntry('k', { v: 1 }));
      await store.commit();
      expect(await store.getCache('k')).toEqual(cacheEntry('k', { v: 1 }));
      store.putCache(cacheEntry('k', { v: 2 }));
      await store.commit();
      expect((await store.getCache('k'))?.output).toEqual({ v: 2 });
    });

    it('gives a run lease to one holder at a time until it is released or expires, naming the holder', async () => {
      jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const one = { owner: 'one', host: 'host-a', pid: 11 };
      const two = { owner: 'two', host: 'host-b', pid: 22 };
      const ownerOf = async (runId: string, holder: typeof one) => (await store.acquireLease(runId, holder, 1_000)).owner;
      expect(await store.acquireLease('r1', one, 1_000)).toEqual({ ...one, expiresAt: 1_001_000 });
      expect(await store.acquireLease('r1', two, 1_000)).toEqual({ ...one, expiresAt: 1_001_000 }); // held: the holder is named
      expect(await ownerOf('r1', one)).toBe('one'); // renewal
      await store.releaseLease('r1', 'two'); // not its lease: nothing happens
      expect(await ownerOf('r1', two)).toBe('one');
      await store.releaseLease('r1', 'one');
      expect(await ownerOf('r1', two)).toBe('two');
      jest.setSystemTime(1_000_000 + 1_001);
      expect(await ownerOf('r1', one)).toBe('one'); // two's lease expired
      expect(await ownerOf('r2', two)).toBe('two'); // leases are per run
      expect(await store.acquireLease('r2', one, 1_000, 'two')).toMatchObject({ owner: 'one' }); // taken over from a holder known to be gone
    });
  });
};
