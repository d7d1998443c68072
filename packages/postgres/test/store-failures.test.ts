import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Engine } from '@pipewright/core';
import { PostgresStore } from '@pipewright/postgres';
import { effectsIn, SharedPipeline } from './fixtures/shared-pipeline';
import { allowConnections, useDatabase, withAdmin } from './support/database';
import { waitForPath, waitUntil } from './support/wait';
import { record } from './support/run-record';

describe('PostgresStore when the connection is lost', () => {
  jest.setTimeout(120_000);
  const database = useDatabase();
  let dir: string;
  let engine: Engine | undefined;
  let store: PostgresStore | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewright-pg-failures-'));
    process.env.SHARED_DIR = dir;
  });
  afterEach(async () => {
    if (database.available) await allowConnections(database.name, true);
    await engine?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    engine = store = undefined;
    delete process.env.SHARED_DIR;
    delete process.env.GATE;
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a commit again on a fresh connection when its backend is terminated mid-statement, applying it once', async () => {
    if (!database.available) return;
    store = new PostgresStore({ connectionString: database.url, schema: 'mid_commit' });
    store.beginRun(record('r1'));
    await store.commit();
    // Another session holds the run's row: the commit that ends the run waits on it, in a backend we can terminate.
    const blocker = new Client({ connectionString: database.url });
    blocker.on('error', () => undefined);
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM mid_commit.runs WHERE run_id = $1 FOR UPDATE', ['r1']);
      store.appendEvent({ type: 'run.succeeded', runId: 'r1', at: 2, status: 'succeeded', elapsedMs: 1 });
      store.endRun('r1', 'succeeded', 2, undefined);
      const committed = store.commit();
      let waiting: number | undefined;
      await waitUntil('the commit to wait for the lock', async () => {
        // Inside a transaction the activity view is a snapshot taken once: take a fresh one each time.
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await blocker.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%json_to_recordset%'",
        );
        waiting = rows[0]?.pid;
        return waiting !== undefined;
      });
      await withAdmin((admin) => admin.query('SELECT pg_terminate_backend($1)', [waiting]));
      await blocker.query('COMMIT');
      await committed;
    } finally {
      await blocker.end().catch(() => undefined);
    }
    expect((await store.getRun('r1'))?.run).toMatchObject({ status: 'succeeded', endedAt: 2 });
    expect((await store.readEvents('r1', 0)).map((entry) => [entry.seq, entry.event.type])).toEqual([[1, 'run.succeeded']]);
  });

  it('fails the run with STORE_FAILED when the database refuses connections, keeps what was committed, and resumes once it is back', async () => {
    if (!database.available) return;
    process.env.GATE = 'train';
    store = new PostgresStore({ connectionString: database.url, schema: 'refused', reconnectAttempts: 2 });
    engine = new Engine({ store, pollMs: 50 });
    const handle = await engine.begin(SharedPipeline);
    await waitForPath(join(dir, 'at-train'));
    await waitUntil('audit to be durable', async () => (await store!.getRun(handle.id))?.steps.audit?.status === 'succeeded');

    await allowConnections(database.name, false);
    writeFileSync(join(dir, 'open-train'), '');
    const failed = await handle.result;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'STORE_FAILED', name: 'StoreError' });
    expect(failed.error?.message).toMatch(/Lost the connection to PostgreSQL/);

    await allowConnections(database.name, true);
    const stored = await engine.inspect(handle.id);
    expect(stored.run.status).toBe('running'); // left for resume
    expect(stored.steps.prepare?.status).toBe('succeeded');
    expect(stored.steps.audit?.status).toBe('succeeded');
    expect(stored.steps.train?.status).not.toBe('succeeded'); // its success never became durable

    delete process.env.GATE;
    const resumed = await engine.resume(handle.id);
    expect(resumed.status).toBe('succeeded');
    expect(effectsIn(readFileSync(join(dir, 'effects'), 'utf8'))).toEqual({ prepare: 1, audit: 1, train: 2, evaluate: 1, report: 1 });
    const journal = await store.readEvents(handle.id, 0);
    expect(journal.map((entry) => entry.seq)).toEqual(journal.map((_, index) => index + 1));
    expect(journal.at(-1)?.event.type).toBe('run.succeeded');
  });
});
