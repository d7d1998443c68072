import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineEvent, RunRecord, StepResult } from '@pipewright/core';
import { PipewrightError } from '@pipewright/core';
import { SqliteStore, SqliteStoreError } from '@pipewright/sqlite';
import { journalTypes, useTempDir, withConnection } from './support/temp-dir';

const record = (runId: string, overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId,
  pipeline: 'etl',
  version: '1.0.0',
  params: { rows: 10 },
  input: { rows: 10, 'train.lr': 0.1 },
  fingerprint: { extract: 'abc', train: 'def' },
  status: 'running',
  startedAt: 1_000,
  endedAt: undefined,
  error: undefined,
  ...overrides,
});

const result = (overrides: Partial<StepResult> = {}): StepResult => ({
  status: 'succeeded',
  output: { rows: [1, 2, 3], nested: { ok: true, none: null } },
  attempts: 1,
  error: undefined,
  startedAt: 1_010,
  endedAt: 1_020,
  metrics: {},
  logs: [],
  artifacts: {},
  ...overrides,
});

const stepEvent = (runId: string, type: 'step.succeeded' | 'step.started' | 'step.log', step: string): PipelineEvent =>
  (type === 'step.succeeded'
    ? { type, runId, at: 1_020, step, attempt: 1, output: 1 }
    : type === 'step.log'
      ? { type, runId, at: 1_015, step, attempt: 1, message: 'hello' }
      : { type, runId, at: 1_010, step, attempt: 1 }) as PipelineEvent;

/** What another connection (another process) sees of a step right now. */
const committedStatus = (path: string, runId: string, step: string): string | undefined =>
  withConnection(path, (db) => db.prepare('SELECT status FROM steps WHERE run_id = ? AND step = ?').pluck().get(runId, step) as string | undefined);

const committedEvents = journalTypes;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SqliteStore', () => {
  const dir = useTempDir();
  const stores: SqliteStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof SqliteStore>[0]> = {}): SqliteStore => {
    const store = new SqliteStore({ path: dir.file('runs.db'), ...options });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  describe('opening', () => {
    it('is durable, runs in WAL mode with foreign keys, and creates the folder of the file', () => {
      const store = open({ path: dir.file('nested/deeper/runs.db') });
      expect(store.durable).toBe(true);
      expect(existsSync(dir.file('nested/deeper/runs.db'))).toBe(true);
      expect(withConnection(dir.file('nested/deeper/runs.db'), (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
      expect((store as unknown as { db: { pragma(s: string, o: object): unknown } }).db.pragma('foreign_keys', { simple: true })).toBe(1);
    });

    it.each([[':memory:'], [''], ['file::memory:?cache=shared']])('refuses %j as a path with INVALID_OPTION', (path) => {
      const attempt = (): SqliteStore => new SqliteStore({ path });
      expect(attempt).toThrow(SqliteStoreError);
      expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });

    it('refuses an unknown commitEvery and a negative busy timeout', () => {
      expect(() => new SqliteStore({ path: dir.file('a.db'), commitEvery: 'sometimes' as 'event' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      expect(() => new SqliteStore({ path: dir.file('b.db'), busyTimeoutMs: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });

    it('throws errors that are PipewrightErrors with a stable code', () => {
      let caught: unknown;
      try {
        new SqliteStore({ path: ':memory:' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PipewrightError);
      expect(caught).toBeInstanceOf(SqliteStoreError);
      expect((caught as SqliteStoreError).name).toBe('SqliteStoreError');
    });
  });

  describe('runs and steps', () => {
    it('round-trips a run record and its steps, in the order they were first saved', () => {
      const store = open();
      store.beginRun(record('r1'));
      store.saveStep('r1', 'train', result({ status: 'running', output: undefined, endedAt: undefined }));
      store.saveStep('r1', 'extract', result());
      store.saveStep('r1', 'train', result({ output: { accuracy: 0.91 } }));

      const stored = store.getRun('r1');
      expect(stored?.run).toEqual(record('r1'));
      expect(Object.keys(stored?.steps ?? {})).toEqual(['train', 'extract']);
      expect(stored?.steps.train).toEqual(result({ output: { accuracy: 0.91 } }));
      expect(stored?.steps.extract).toEqual(result());
    });

    it('keeps everything a step result holds: errors, times, metrics (NaN and ±Infinity included), logs and artifacts', () => {
      const store = open();
      store.beginRun(record('r1'));
      const failed = result({
        status: 'failed',
        output: undefined,
        attempts: 3,
        error: { message: 'boom', code: 'STEP_FAILED', name: 'StepError' },
        metrics: { loss: 0.25, nan: Number.NaN, up: Number.POSITIVE_INFINITY, down: Number.NEGATIVE_INFINITY },
        logs: [
          { at: 1_011, message: 'first' },
          { at: 1_012, message: 'second' },
        ],
        artifacts: { model: { id: 'a1', name: 'model', step: 'train', runId: 'r1', hash: 'f'.repeat(64), size: 7 } },
      });
      store.saveStep('r1', 'train', failed);
      const stored = store.getRun('r1')?.steps.train;
      expect(stored).toEqual(failed);
      expect(stored?.metrics.nan).toBeNaN();
    });

    it('tells an undefined output from a null one', () => {
      const store = open();
      store.beginRun(record('r1'));
      store.saveStep('r1', 'none', result({ output: undefined }));
      store.saveStep('r1', 'null', result({ output: null }));
      const steps = store.getRun('r1')?.steps;
      expect(steps?.none).toHaveProperty('output', undefined);
      expect(steps?.null).toHaveProperty('output', null);
    });

    it('saves the result as it was when saveStep was called, even if the object changes afterwards', () => {
      const store = open();
      store.beginRun(record('r1'));
      const live = { ...result({ status: 'running', output: undefined }) } as { -readonly [K in keyof StepResult]: StepResult[K] };
      store.saveStep('r1', 'train', live);
      live.status = 'succeeded';
      live.output = 42;
      expect(store.getRun('r1')?.steps.train).toMatchObject({ status: 'running', output: undefined });
    });

    it('records how a run ended', () => {
      const store = open();
      store.beginRun(record('r1'));
      store.endRun('r1', 'failed', 2_000, { message: 'Step x failed', code: 'STEP_FAILED', name: 'StepError' });
      expect(store.getRun('r1')?.run).toEqual(
        record('r1', { status: 'failed', endedAt: 2_000, error: { message: 'Step x failed', code: 'STEP_FAILED', name: 'StepError' } }),
      );
    });

    it('replaces the record but keeps the steps when a run begins again (resume)', () => {
      const store = open();
      store.beginRun(record('r1'));
      store.saveStep('r1', 'extract', result());
      store.endRun('r1', 'failed', 2_000, { message: 'x', name: 'Error' });
      store.beginRun(record('r1', { startedAt: 3_000 }));
      store.saveStep('r1', 'train', result());
      const stored = store.getRun('r1');
      expect(stored?.run).toMatchObject({ status: 'running', startedAt: 3_000, endedAt: undefined, error: undefined });
      expect(Object.keys(stored?.steps ?? {})).toEqual(['extract', 'train']);
    });

    it('answers undefined for a run it does not know', () => {
      expect(open().getRun('nope')).toBeUndefined();
    });

    it('refuses to save a step of a run that was never begun (UNKNOWN_RUN)', () => {
      const store = open();
      expect(() => store.saveStep('ghost', 'a', result())).toThrow(expect.objectContaining({ code: 'UNKNOWN_RUN' }));
      expect(() => store.appendEvent(stepEvent('ghost', 'step.started', 'a'))).toThrow(expect.objectContaining({ code: 'UNKNOWN_RUN' }));
    });

    it('keeps what it saved across a close and a reopen', async () => {
      const first = open();
      first.beginRun(record('r1'));
      first.saveStep('r1', 'extract', result());
      await first.close();
      const second = open();
      expect(second.getRun('r1')?.steps.extract).toEqual(result());
    });

    it('continues the step order of a run written by an earlier store', async () => {
      const first = open();
      first.beginRun(record('r1'));
      first.saveStep('r1', 'b', result());
      await first.close();
      const second = open();
      second.saveStep('r1', 'a', result());
      expect(Object.keys(second.getRun('r1')?.steps ?? {})).toEqual(['b', 'a']);
    });
  });

  describe('serialization', () => {
    const cyclic = (): unknown => {
      const value: Record<string, unknown> = { name: 'loop' };
      value.self = value;
      return value;
    };

    it.each([
      ['a cycle', cyclic()],
      ['a BigInt', { big: BigInt(1) }],
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
    ])('refuses an output holding %s with NOT_SERIALIZABLE naming the step, and stores nothing', (_what, output) => {
      const store = open();
      store.beginRun(record('r1'));
      let caught: unknown;
      try {
        store.saveStep('r1', 'train', result({ output }));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SqliteStoreError);
      expect(caught).toMatchObject({ code: 'NOT_SERIALIZABLE' });
      expect((caught as Error).message).toContain("step 'train'");
      expect(store.getRun('r1')?.steps.train).toBeUndefined();
    });

    it('refuses run parameters that JSON cannot hold', () => {
      const store = open();
      expect(() => store.beginRun(record('r1', { params: { big: BigInt(2) } }))).toThrow(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }));
      expect(store.getRun('r1')).toBeUndefined();
    });
  });

  describe('write before publish', () => {
    it("holds every write until commit() under the default commitEvery 'batch', then commits them in order", () => {
      const store = open();
      const path = dir.file('runs.db');
      store.beginRun(record('r1'));
      store.appendEvent({ type: 'run.started', runId: 'r1', at: 1_000, pipeline: 'etl', version: '1.0.0', params: {} } as PipelineEvent);
      store.saveStep('r1', 'train', result());
      store.appendEvent(stepEvent('r1', 'step.succeeded', 'train'));
      expect(committedEvents(path, 'r1')).toEqual([]);
      expect(committedStatus(path, 'r1', 'train')).toBeUndefined();
      store.commit();
      expect(committedStatus(path, 'r1', 'train')).toBe('succeeded');
      expect(committedEvents(path, 'r1')).toEqual(['run.started', 'step.succeeded']);
    });

    it("commits what nobody commits when the current turn ends, under commitEvery 'batch'", async () => {
      const store = open();
      const path = dir.file('runs.db');
      store.beginRun(record('r1'));
      store.appendEvent({ type: 'run.started', runId: 'r1', at: 1_000, pipeline: 'etl', version: '1.0.0', params: {} } as PipelineEvent);
      await nextTurn();
      expect(committedEvents(path, 'r1')).toEqual(['run.started']);
    });

    it("has an outcome event and every write before it committed when appendEvent returns, under commitEvery 'outcome'", () => {
      const store = open({ commitEvery: 'outcome' });
      const path = dir.file('runs.db');
      store.beginRun(record('r1'));
      store.appendEvent({ type: 'run.started', runId: 'r1', at: 1_000, pipeline: 'etl', version: '1.0.0', params: {} } as PipelineEvent);
      store.saveStep('r1', 'train', result());
      expect(committedStatus(path, 'r1', 'train')).toBeUndefined(); // waits for its event
      store.appendEvent(stepEvent('r1', 'step.succeeded', 'train'));
      expect(committedStatus(path, 'r1', 'train')).toBe('succeeded');
      expect(committedEvents(path, 'r1')).toEqual(['run.started', 'step.succeeded']);
    });

    it("commits progress events with the next outcome, or when the current turn ends, under commitEvery 'outcome'", async () => {
      const store = open({ commitEvery: 'outcome' });
      const path = dir.file('runs.db');
      store.beginRun(record('r1'));
      store.appendEvent({ type: 'run.started', runId: 'r1', at: 1_000, pipeline: 'etl', version: '1.0.0', params: {} } as PipelineEvent);
      store.saveStep('r1', 'a', result({ status: 'running', output: undefined }));
      store.appendEvent(stepEvent('r1', 'step.started', 'a'));
      expect(committedEvents(path, 'r1')).toEqual(['run.started']);
      await nextTurn();
      expect(committedEvents(path, 'r1')).toEqual(['run.started', 'step.started']);
      expect(committedStatus(path, 'r1', 'a')).toBe('running');

      store.appendEvent(stepEvent('r1', 'step.log', 'a'));
      store.saveStep('r1', 'a', result());
      store.appendEvent(stepEvent('r1', 'step.succeeded', 'a'));
      expect(committedEvents(path, 'r1')).toEqual(['run.started', 'step.started', 'step.log', 'step.succeeded']);
    });

    it("commits every event before appendEvent returns under commitEvery 'event'", () => {
      const store = open({ commitEvery: 'event' });
      const path = dir.file('runs.db');
      store.beginRun(record('r1'));
      store.saveStep('r1', 'a', result({ status: 'running', output: undefined }));
      store.appendEvent(stepEvent('r1', 'step.started', 'a'));
      expect(committedStatus(path, 'r1', 'a')).toBe('running');
      store.appendEvent(stepEvent('r1', 'step.log', 'a'));
      expect(committedEvents(path, 'r1')).toEqual(['step.started', 'step.log']);
    });

    it('reads its own pending writes', () => {
      const store = open();
      store.beginRun(record('r1'));
      store.saveStep('r1', 'a', result());
      expect(store.listRuns()).toHaveLength(1);
      expect(store.getRun('r1')?.steps.a?.status).toBe('succeeded');
    });

    it('journals events in order and gives them back with events(runId)', () => {
      const store = open();
      store.beginRun(record('r1'));
      store.beginRun(record('r2'));
      const events = [stepEvent('r1', 'step.started', 'a'), stepEvent('r2', 'step.started', 'x'), stepEvent('r1', 'step.log', 'a'), stepEvent('r1', 'step.succeeded', 'a')];
      for (const event of events) store.appendEvent(event);
      expect(store.events('r1')).toEqual([events[0], events[2], events[3]]);
      expect(store.events('r2')).toEqual([events[1]]);
      expect(store.events('none')).toEqual([]);
    });
  });

  describe('history', () => {
    const seed = (store: SqliteStore): void => {
      store.beginRun(record('old', { startedAt: 1_000 }));
      store.endRun('old', 'succeeded', 1_500, undefined);
      store.beginRun(record('other', { pipeline: 'ml', startedAt: 2_000 }));
      store.endRun('other', 'failed', 2_500, { message: 'x', name: 'Error' });
      store.beginRun(record('tie-a', { startedAt: 3_000 }));
      store.beginRun(record('tie-b', { startedAt: 3_000 }));
      store.endRun('tie-b', 'failed', 3_100, { message: 'y', name: 'Error' });
    };

    it('lists runs newest first, ties in the order they started, with their summaries', () => {
      const store = open();
      seed(store);
      expect(store.listRuns().map((run) => run.runId)).toEqual(['tie-b', 'tie-a', 'other', 'old']);
      expect(store.listRuns()[3]).toEqual({ runId: 'old', pipeline: 'etl', version: '1.0.0', status: 'succeeded', startedAt: 1_000, endedAt: 1_500 });
      expect(store.listRuns()[1]).toMatchObject({ status: 'running', endedAt: undefined });
    });

    it('filters by pipeline, by status, by both, and limits', () => {
      const store = open();
      seed(store);
      expect(store.listRuns({ pipeline: 'etl' }).map((run) => run.runId)).toEqual(['tie-b', 'tie-a', 'old']);
      expect(store.listRuns({ status: 'failed' }).map((run) => run.runId)).toEqual(['tie-b', 'other']);
      expect(store.listRuns({ pipeline: 'etl', status: 'failed' }).map((run) => run.runId)).toEqual(['tie-b']);
      expect(store.listRuns({ status: 'running' }).map((run) => run.runId)).toEqual(['tie-a']);
      expect(store.listRuns({ limit: 2 }).map((run) => run.runId)).toEqual(['tie-b', 'tie-a']);
      expect(store.listRuns({ limit: 0 })).toEqual([]);
      expect(store.listRuns({ pipeline: 'nope' })).toEqual([]);
    });

    it.each([[-1], [1.5], [Number.NaN]])('refuses a limit of %p with INVALID_OPTION', (limit) => {
      expect(() => open().listRuns({ limit })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });
  });

  describe('cache', () => {
    const entry = { key: 'k1', pipeline: 'etl', step: 'train', output: { accuracy: 0.9 }, artifacts: {}, createdAt: 5 };

    it('stores, finds and replaces entries by key, and answers undefined for a missing key', () => {
      const store = open();
      expect(store.getCache('k1')).toBeUndefined();
      store.putCache(entry);
      expect(store.getCache('k1')).toEqual(entry);
      store.putCache({ ...entry, output: { accuracy: 0.95 }, createdAt: 6 });
      expect(store.getCache('k1')).toEqual({ ...entry, output: { accuracy: 0.95 }, createdAt: 6 });
    });

    it('shares entries with another store on the same file', async () => {
      open().putCache(entry);
      await nextTurn();
      const other = new SqliteStore({ path: dir.file('runs.db') });
      stores.push(other);
      expect(other.getCache('k1')).toEqual(entry);
    });
  });

  describe('leases', () => {
    const holderOf = (owner: string) => ({ owner, host: 'elsewhere', pid: 4242 });
    /** Whether `owner` holds the run's lease after asking for it. */
    const takes = (store: SqliteStore, runId: string, owner: string, ttlMs: number): boolean => store.acquireLease(runId, holderOf(owner), ttlMs).owner === owner;

    it('records the holder and reports it, with its expiry, to whoever is refused', () => {
      const store = open();
      const before = Date.now();
      store.acquireLease('r1', holderOf('alice'), 10_000);
      const refused = store.acquireLease('r1', holderOf('bob'), 10_000);
      expect(refused).toMatchObject({ owner: 'alice', host: 'elsewhere', pid: 4242 });
      expect(refused.expiresAt).toBeGreaterThanOrEqual(before + 10_000);
      expect(store.readLease('r1')).toEqual(refused);
      expect(store.readLease('r2')).toBeUndefined();
    });

    it('lets a caller take over a lease from the owner it names (one it found dead), and only that one', () => {
      const store = open();
      store.acquireLease('r1', holderOf('alice'), 10_000);
      expect(store.acquireLease('r1', holderOf('bob'), 10_000, 'carol').owner).toBe('alice');
      expect(store.acquireLease('r1', holderOf('bob'), 10_000, 'alice').owner).toBe('bob');
    });

    it('gives a run to one owner at a time, and lets the holder renew it', () => {
      const store = open();
      expect(takes(store, 'r1', 'alice', 10_000)).toBe(true);
      expect(takes(store, 'r1', 'bob', 10_000)).toBe(false);
      expect(takes(store, 'r1', 'alice', 10_000)).toBe(true);
      expect(takes(store, 'r2', 'bob', 10_000)).toBe(true);
    });

    it('lets another owner take a lease once it has expired', async () => {
      const store = open();
      expect(takes(store, 'r1', 'alice', 20)).toBe(true);
      expect(takes(store, 'r1', 'bob', 20)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(takes(store, 'r1', 'bob', 10_000)).toBe(true);
      expect(takes(store, 'r1', 'alice', 10_000)).toBe(false);
    });

    it('releases only for the owner that holds the lease', () => {
      const store = open();
      takes(store, 'r1', 'alice', 10_000);
      store.releaseLease('r1', 'bob');
      expect(takes(store, 'r1', 'bob', 10_000)).toBe(false);
      store.releaseLease('r1', 'alice');
      expect(takes(store, 'r1', 'bob', 10_000)).toBe(true);
    });

    it('holds leases across stores on the same file', () => {
      const first = open();
      const second = open();
      expect(takes(first, 'r1', 'alice', 10_000)).toBe(true);
      expect(takes(second, 'r1', 'bob', 10_000)).toBe(false);
    });

    it.each([[0], [-5], [Number.NaN]])('refuses a ttl of %p', (ttl) => {
      expect(() => open().acquireLease('r1', holderOf('alice'), ttl)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });
  });

  describe('artifacts', () => {
    it('keeps bytes as content-addressed files beside the database and records their metadata', async () => {
      const store = open();
      store.beginRun(record('r1'));
      const ref = await store.artifacts.put({ runId: 'r1', step: 'train', name: 'model', data: Buffer.from('weights') });
      const again = await store.artifacts.put({ runId: 'r1', step: 'eval', name: 'copy', data: Buffer.from('weights') });
      expect(ref.hash).toBe(again.hash);
      const file = join(dir.file('runs.db.artifacts'), ref.hash.slice(0, 2), ref.hash);
      expect(readFileSync(file, 'utf8')).toBe('weights');
      expect((await store.artifacts.get(ref)).toString()).toBe('weights');
      const rows = withConnection(dir.file('runs.db'), (db) => db.prepare('SELECT id, step, name, hash, size FROM artifacts ORDER BY step').all());
      expect(rows).toEqual([
        { id: again.id, step: 'eval', name: 'copy', hash: ref.hash, size: 7 },
        { id: ref.id, step: 'train', name: 'model', hash: ref.hash, size: 7 },
      ]);
    });

    it('puts blobs where artifactsDir says', async () => {
      const store = open({ artifactsDir: dir.file('blobs') });
      const ref = await store.artifacts.put({ runId: 'r1', step: 's', name: 'n', data: Buffer.from('x') });
      expect(existsSync(join(dir.file('blobs'), ref.hash.slice(0, 2), ref.hash))).toBe(true);
    });
  });

  describe('closing', () => {
    it('commits pending writes on close, may be closed twice, and refuses use afterwards with STORE_CLOSED', async () => {
      const store = open();
      store.beginRun(record('r1'));
      store.saveStep('r1', 'a', result());
      await store.close();
      await store.close();
      expect(() => store.getRun('r1')).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
      expect(() => store.saveStep('r1', 'a', result())).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
      expect(committedStatus(dir.file('runs.db'), 'r1', 'a')).toBe('succeeded');
    });
  });
});
