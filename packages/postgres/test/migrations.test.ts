import 'reflect-metadata';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { PostgresStore, SCHEMA_VERSION } from '@pipewright/postgres';
import { migrate, migrations } from '../src/migrations';
import { useDatabase } from './support/database';

describe('Postgres schema migrations', () => {
  const database = useDatabase();
  let pool: Pool | undefined;
  let store: PostgresStore | undefined;
  afterEach(async () => {
    await store?.close();
    await pool?.end();
    store = undefined;
    pool = undefined;
  });

  it('brings a version-1 schema (no waits) to version 2, keeping its runs, and the new tables work', async () => {
    if (!database.available) return;
    expect(SCHEMA_VERSION).toBe(2);
    pool = new Pool({ connectionString: database.url, max: 1 });
    const client: PoolClient = await pool.connect();
    try {
      expect(await migrate(client, 'old', '"old"', migrations.slice(0, 1))).toBe(1);
    } finally {
      client.release();
    }
    await pool.query(`INSERT INTO old.runs (run_id, pipeline, version, status, params, input, fingerprint, started_at)
      VALUES ('kept', 'p', '1', 'running', '{}', '{}', '{}', 1)`);

    store = new PostgresStore({ connectionString: database.url, schema: 'old' });
    await store.ready();
    expect((await pool.query('SELECT version FROM old.schema_version')).rows).toEqual([{ version: 2 }]);
    expect((await store.getRun('kept'))?.run.status).toBe('running');
    await store.sendSignal('kept', 'go', { n: 1 }, 5);
    const signal = await store.readSignal('kept', 'go');
    expect(signal).toMatchObject({ name: 'go', payload: { n: 1 }, sentAt: 5 });
    store.saveWait('kept', 'a', 0, { kind: 'signal', name: 'go', payload: { n: 1 }, deliveredAt: 6 }, signal?.id);
    await store.commit();
    expect(await store.readSignal('kept', 'go')).toBeUndefined();
    expect(await store.readWaits('kept', 'a')).toHaveLength(1);
  });

  it('refuses a wait for a run that was never begun with UNKNOWN_RUN, committing nothing of the batch', async () => {
    if (!database.available) return;
    store = new PostgresStore({ connectionString: database.url, schema: 'unknown_run' });
    store.saveWait('ghost', 'a', 0, { kind: 'sleep', until: 1 });
    await expect(store.commit()).rejects.toMatchObject({ name: 'PostgresStoreError', code: 'UNKNOWN_RUN' });
    await expect(store.sendSignal('ghost', 'go', null, 1)).rejects.toMatchObject({ code: 'UNKNOWN_RUN' });
    expect(await store.readWaits('ghost', 'a')).toEqual([]);
  });
});
