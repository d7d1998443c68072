import type { LeaseHolder, RunRecord, StepResult } from '@pipewright/core';
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

const running: StepResult = { status: 'running', output: undefined, attempts: 1, error: undefined, startedAt: 1, endedAt: undefined, metrics: {}, logs: [], artifacts: {} };

const holder = (owner: string): LeaseHolder => ({ owner, host: 'here', pid: 1 });

/** What another process sees of a run in the file: its status and its lease's owner. */
const committed = (path: string, runId: string): { status: unknown; lease: unknown } =>
  withConnection(path, (db) => ({
    status: db.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(runId),
    lease: db.prepare('SELECT owner FROM leases WHERE run_id = ?').pluck().get(runId),
  }));

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SqliteStore leases in the commits of their runs', () => {
  const dir = useTempDir();
  const stores: SqliteStore[] = [];
  const open = (busyTimeoutMs = 1_000): SqliteStore => {
    const store = new SqliteStore({ path: dir.file('runs.db'), busyTimeoutMs });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
  });

  it('commits a lease newly taken with the run\'s first record: no process sees one without the other', () => {
    const store = open();
    expect(store.acquireLease('r', holder('alice'), 10_000).owner).toBe('alice');
    store.beginRun(record('r'));
    store.appendEvent({ type: 'run.started', runId: 'r', at: 1, pipeline: 'p', version: '1', params: {} });
    expect(committed(store.path, 'r')).toEqual({ status: undefined, lease: undefined });
    store.commit('r');
    expect(committed(store.path, 'r')).toEqual({ status: 'running', lease: 'alice' });
  });

  it('commits a lease nobody commits once the current job has run, and a renewal at once', async () => {
    const store = open();
    store.acquireLease('r', holder('alice'), 10_000);
    await nextTurn();
    expect(committed(store.path, 'r').lease).toBe('alice');
    const renewed = store.acquireLease('r', holder('alice'), 60_000);
    expect(withConnection(store.path, (db) => db.prepare('SELECT expires_at FROM leases WHERE run_id = ?').pluck().get('r'))).toBe(renewed.expiresAt);
  });

  it('lets another store of this process on the file write at once while a lease is held open, and keeps the lease exclusive', () => {
    const one = open();
    const two = open();
    expect(one.acquireLease('r', holder('alice'), 10_000).owner).toBe('alice');
    // Waiting for one's lock would wait on this very thread, until the busy timeout ran out.
    expect(two.acquireLease('r', holder('bob'), 10_000).owner).toBe('alice');
    two.beginRun(record('other'));
    expect(() => two.commit('other')).not.toThrow();
    expect(committed(one.path, 'r').lease).toBe('alice');
    // Opening the file migrates it, in a write transaction.
    one.acquireLease('s', holder('alice'), 10_000);
    expect(() => open()).not.toThrow();
  });

  it('gives the lease back in the commit of the run\'s end', () => {
    const store = open();
    store.acquireLease('r', holder('alice'), 10_000);
    store.beginRun(record('r'));
    store.commit('r');
    store.endRun('r', 'succeeded', 2, undefined);
    expect(committed(store.path, 'r')).toEqual({ status: 'running', lease: 'alice' });
    store.commit('r');
    expect(committed(store.path, 'r')).toEqual({ status: 'succeeded', lease: undefined });
    store.releaseLease('r', 'alice');
    // Taken again (a resume): the lease is the new holder's, whatever was staged before.
    expect(store.acquireLease('r', holder('bob'), 10_000).owner).toBe('bob');
    store.commit();
    expect(committed(store.path, 'r').lease).toBe('bob');
  });

  it('takes a lease back with the record when their commit fails: the run can be claimed again', () => {
    const store = open();
    withConnection(store.path, (db) => db.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON steps WHEN NEW.step = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`));
    store.acquireLease('r', holder('alice'), 10_000);
    store.beginRun(record('r'));
    store.saveStep('r', 'boom', running);
    expect(() => store.commit('r')).toThrow('boom refused');
    expect(committed(store.path, 'r')).toEqual({ status: undefined, lease: undefined });
    store.releaseLease('r', 'alice');
    expect(store.acquireLease('r', holder('bob'), 10_000).owner).toBe('bob');
  });

  it('takes the lease again with its run\'s record when a failed commit is retried run by run', () => {
    const store = open();
    withConnection(store.path, (db) => db.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON steps WHEN NEW.step = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`));
    store.beginRun(record('b'));
    store.commit('b');
    store.acquireLease('a', holder('alice'), 10_000);
    store.beginRun(record('a'));
    store.saveStep('b', 'boom', running); // in the same commit as a's lease and record
    expect(() => store.commit('a')).not.toThrow();
    expect(committed(store.path, 'a')).toEqual({ status: 'running', lease: 'alice' });
    expect(() => store.commit('b')).toThrow('boom refused');
  });
});
