import type { PipelineEvent, RunRecord, StepResult, StepStatus } from '@pipewright/core';
import { definePipeline, Engine } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { useTempDir, withConnection } from './support/temp-dir';

const record = (runId: string): RunRecord => ({
  runId,
  pipeline: 'p',
  version: '1',
  params: {},
  input: {},
  fingerprint: {},
  status: 'running',
  startedAt: 1,
  endedAt: undefined,
  error: undefined,
});

const step = (status: StepStatus): StepResult => ({
  status,
  output: status === 'succeeded' ? 'done' : undefined,
  attempts: 1,
  error: undefined,
  startedAt: 1,
  endedAt: undefined,
  metrics: {},
  logs: [],
  artifacts: {},
});

const started = (runId: string): PipelineEvent => ({ type: 'run.started', runId, at: 1, pipeline: 'p', version: '1', params: {} });

/** A realistic refusal: the file rejects one step's row (as a full disk or a constraint would), deterministically. */
const REFUSE_BOOM = `CREATE TRIGGER refuse_boom BEFORE INSERT ON steps WHEN NEW.step = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`;

/** What another process sees of a run's steps: name → status. */
const committedSteps = (path: string, runId: string): Record<string, string> =>
  withConnection(path, (db) => Object.fromEntries((db.prepare('SELECT step, status FROM steps WHERE run_id = ?').raw().all(runId) as Array<[string, string]>).map(([name, status]) => [name, status])));

const committedStatus = (path: string, runId: string): string | undefined =>
  withConnection(path, (db) => db.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(runId) as string | undefined);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SqliteStore after a commit fails', () => {
  const dir = useTempDir();
  let store: SqliteStore | undefined;
  afterEach(async () => {
    await store?.close().catch(() => undefined);
    store = undefined;
  });

  /** A store whose file refuses any step named `boom`, with runs `ids` begun and committed. */
  const open = (...ids: string[]): { store: SqliteStore; path: string } => {
    const opened = (store = new SqliteStore({ path: dir.file('runs.db') }));
    withConnection(opened.path, (db) => db.exec(REFUSE_BOOM));
    for (const runId of ids) opened.beginRun(record(runId));
    opened.commit();
    return { store: opened, path: opened.path };
  };

  it('fails the run whose write was refused; the other runs that commit carried still commit theirs', () => {
    const { store, path } = open('a', 'b');
    store.saveStep('b', 'y', step('succeeded')); // staged in the same turn: it rides a's commit
    store.saveStep('a', 'boom', step('running'));
    expect(() => store.commit('a')).toThrow('boom refused');
    expect(() => store.commit('a')).toThrow('boom refused');
    expect(() => store.commit('b')).not.toThrow();
    expect(committedSteps(path, 'b')).toEqual({ y: 'succeeded' });
    expect(committedSteps(path, 'a')).toEqual({});
  });

  it('fails every run whose writes the failed commit carried when none can be written, and no other run', () => {
    const { store, path } = open('a', 'b', 'c');
    // Every journal row refused: as a full disk would refuse every run's part.
    withConnection(path, (db) => db.exec(`CREATE TRIGGER refuse_journal BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'journal refused'); END`));
    store.appendEvent(started('a'));
    store.appendEvent(started('b'));
    expect(() => store.commit('a')).toThrow('journal refused');
    // b's event was lost with a's: its commit must not report it durable.
    expect(() => store.commit('b')).toThrow('journal refused');
    expect(store.readEvents('b', 0)).toEqual([]);
    // c had nothing in that commit.
    store.saveStep('c', 'z', step('succeeded'));
    expect(() => store.commit('c')).not.toThrow();
    expect(committedSteps(path, 'c')).toEqual({ z: 'succeeded' });
  });

  it('tells a failed end-of-turn commit to the runs it carried, not to whichever run writes next', async () => {
    const { store, path } = open('a', 'b');
    store.saveStep('a', 'boom', step('running')); // nobody commits: the store does when the turn ends
    await nextTurn();
    expect(() => store.saveStep('b', 'y', step('succeeded'))).not.toThrow();
    expect(() => store.commit('b')).not.toThrow();
    expect(committedSteps(path, 'b')).toEqual({ y: 'succeeded' });
    expect(() => store.commit('a')).toThrow('boom refused');
  });

  it('never commits what a failed run stages after its failure, with another run\'s commit, until the run is begun again', () => {
    const { store, path } = open('a', 'b');
    store.appendEvent(started('a'));
    store.saveStep('a', 's1', step('running'));
    store.commit('a');

    store.saveStep('a', 's1', step('succeeded'));
    store.appendEvent({ type: 'step.succeeded', runId: 'a', step: 's1', attempt: 1, at: 2, output: 'done' });
    store.saveStep('a', 'boom', step('running'));
    expect(() => store.commit('a')).toThrow('boom refused');
    // The failed run goes on stopping: its running steps aborted, its end.
    store.saveStep('a', 's2', step('aborted'));
    store.endRun('a', 'failed', 3, { name: 'StoreError', message: 'boom refused' });
    expect(() => store.commit('a')).toThrow('boom refused');

    // Another run commits: nothing of a's may ride along.
    store.saveStep('b', 'y', step('succeeded'));
    store.commit('b');
    store.releaseLease('a', 'nobody');
    expect(committedSteps(path, 'a')).toEqual({ s1: 'running' });
    expect(committedStatus(path, 'a')).toBe('running');
    expect(committedSteps(path, 'b')).toEqual({ y: 'succeeded' });

    // Begun again (resume): its writes count, and its journal goes on without a gap.
    store.beginRun(record('a'));
    store.appendEvent(started('a'));
    store.saveStep('a', 's1', step('succeeded'));
    expect(() => store.commit('a')).not.toThrow();
    expect(committedSteps(path, 'a')).toEqual({ s1: 'succeeded' });
    expect(store.readEvents('a', 0).map((entry) => [entry.seq, entry.event.type])).toEqual([
      [1, 'run.started'],
      [2, 'run.started'],
    ]);
  });

  it('on an engine: a run whose writes shared a failed commit with another run\'s journals every event it published', async () => {
    const path = dir.file('shared.db');
    const engine = new Engine({ store: (store = new SqliteStore({ path })) });
    withConnection(path, (db) => db.exec(REFUSE_BOOM));
    try {
      // Started in one tick, their first steps start in the same turn: one commit carries both.
      const failing = engine.start(definePipeline({ name: 'failing' }).addFunctionStep('boom', () => 'never').build());
      const beside = engine.start(definePipeline({ name: 'beside' }).addFunctionStep('b0', () => 'b0').addFunctionStep('b1', () => 'b1', { parents: ['b0'] }).build());
      const published: number[] = [];
      beside.events$.subscribe(() => published.push(published.length + 1));
      const [a, b] = await Promise.all([failing.result, beside.result]);
      expect(a.error).toMatchObject({ code: 'STORE_FAILED' });
      expect(b.status).toBe('succeeded');
      // Every event a subscriber saw is in the journal, without a gap.
      expect(store.readEvents(b.runId, 0).map((entry) => entry.seq)).toEqual(published);
    } finally {
      await engine.close();
    }
  });

  it('on an engine: the run whose commit fails ends STORE_FAILED, leaving its record as it was; a run beside it succeeds', async () => {
    const path = dir.file('engine.db');
    const engine = new Engine({ store: (store = new SqliteStore({ path })) });
    withConnection(path, (db) => db.exec(REFUSE_BOOM));
    const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    // `slow` is running when boom's commit fails: it is aborted after the failure.
    const failing = definePipeline({ name: 'failing' })
      .addFunctionStep('slow', async () => pause(30))
      .addFunctionStep('a1', async () => pause(5))
      .addFunctionStep('boom', () => 'never', { parents: ['a1'] })
      .build();
    const beside = definePipeline({ name: 'beside' });
    for (let i = 0; i < 8; i++) beside.addFunctionStep(`b${i}`, async () => pause(2), i > 0 ? { parents: [`b${i - 1}`] } : {});
    try {
      const [a, b] = await Promise.all([engine.run(failing), engine.run(beside.build())]);
      expect(a.status).toBe('failed');
      expect(a.error).toMatchObject({ code: 'STORE_FAILED' });
      expect(b.status).toBe('succeeded');
      expect(committedSteps(path, b.runId)).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`b${i}`, 'succeeded'])));
      expect(committedStatus(path, b.runId)).toBe('succeeded');
      // Nothing the failed run staged after its failure reached the file: it stays as a resume finds it.
      expect(committedStatus(path, a.runId)).toBe('running');
      expect(committedSteps(path, a.runId)).toEqual({ slow: 'running', a1: 'succeeded' });
    } finally {
      await engine.close();
    }
  });
});
