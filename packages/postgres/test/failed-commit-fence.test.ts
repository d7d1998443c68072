import { Pool } from 'pg';
import type { StepResult, StepStatus } from '@pipewright/core';
import { PostgresStore } from '@pipewright/postgres';
import { useDatabase } from './support/database';
import { record } from './support/run-record';

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

/**
 * A pool whose next commit statement (the batch) is held until `fail()`, then rejected as a
 * terminated connection is: so a test can stage writes while a commit is in flight, then fail it.
 */
const gatedPool = (url: string) => {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  let armed = false;
  let held: { reject: (error: Error) => void } | undefined;
  let entered: () => void = () => undefined;
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
    if (armed && typeof args[0] === 'string' && args[0].includes('json_to_recordset')) {
      armed = false;
      return new Promise((_resolve, reject) => {
        held = { reject };
        entered();
      });
    }
    return query(...args);
  };
  return {
    pool,
    /** Holds the next commit; resolves once it has been sent. */
    holdNext: (): Promise<void> => {
      armed = true;
      return new Promise((resolve) => (entered = resolve));
    },
    fail: () => held?.reject(new Error('Connection terminated unexpectedly')),
  };
};

describe('PostgresStore after a commit fails', () => {
  const database = useDatabase();
  let gated: ReturnType<typeof gatedPool> | undefined;
  let store: PostgresStore | undefined;

  afterEach(async () => {
    await store?.close().catch(() => undefined);
    await gated?.pool.end().catch(() => undefined);
    store = gated = undefined;
  });

  const open = async (schema: string): Promise<{ store: PostgresStore; gate: ReturnType<typeof gatedPool> }> => {
    const gate = (gated = gatedPool(database.url));
    const opened = (store = new PostgresStore({ pool: gate.pool, schema, reconnectAttempts: 0 }));
    await opened.ready();
    return { store: opened, gate };
  };

  it('never sends, with a later commit, what a run staged while its failed commit was in flight, until the run is begun again', async () => {
    if (!database.available) return;
    const { store, gate } = await open('fence_stale');
    store.beginRun(record('r'));
    store.saveStep('r', 's1', step('running'));
    await store.commit('r');

    const held = gate.holdNext();
    store.appendEvent({ type: 'step.started', runId: 'r', step: 's1', attempt: 1, at: 2 });
    const failing = store.commit('r');
    await held;
    // The step succeeds while its run's commit is in flight: staged for the next batch.
    store.saveStep('r', 's1', step('succeeded'));
    store.appendEvent({ type: 'step.succeeded', runId: 'r', step: 's1', attempt: 1, at: 3, output: 'done' });
    gate.fail();
    await expect(failing).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    // The failed run goes on stopping (its steps aborted): nothing of it may be sent.
    store.saveStep('r', 's2', step('aborted'));
    await expect(store.commit('r')).rejects.toMatchObject({ code: 'CONNECTION_LOST' });

    // Another run commits: its batch must not carry the failed run's writes.
    store.beginRun(record('other'));
    await store.commit('other');
    const read = await store.getRun('r');
    expect(Object.fromEntries(Object.entries(read?.steps ?? {}).map(([name, result]) => [name, result.status]))).toEqual({ s1: 'running' });

    // The resume read `s1` as running; its first commit must not land the old incarnation's success.
    store.beginRun(record('r'));
    store.appendEvent({ type: 'run.started', runId: 'r', at: 4, pipeline: 'p', version: '1', params: {} });
    await store.commit('r');
    const resumed = await store.getRun('r');
    expect(Object.fromEntries(Object.entries(resumed?.steps ?? {}).map(([name, result]) => [name, result.status]))).toEqual({ s1: 'running' });
    expect((await store.readEvents('r', 0)).map((entry) => entry.event.type)).toEqual(['run.started']);
    // Begun again, the run's writes count.
    store.saveStep('r', 's1', step('succeeded'));
    await store.commit('r');
    expect((await store.getRun('r'))?.steps.s1?.status).toBe('succeeded');
  });

  it('fails the commit of a run whose writes a failed batch carried, though the batch that commit waits for succeeds', async () => {
    if (!database.available) return;
    const { store, gate } = await open('fence_shared');
    store.beginRun(record('a'));
    store.beginRun(record('b'));
    await store.commit();

    const held = gate.holdNext();
    store.saveStep('a', 'x', step('running'));
    store.saveStep('b', 'y', step('running')); // taken into a's batch before b asks for a commit
    const failing = store.commit('a');
    await held;
    store.saveStep('b', 'y', step('succeeded'));
    const bCommit = store.commit('b'); // waits for the next batch, which will succeed
    gate.fail();
    await expect(failing).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    await expect(bCommit).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect((await store.getRun('b'))?.steps).toEqual({});
  });
});
