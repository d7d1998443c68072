import 'reflect-metadata';
import { Client } from 'pg';
import { Engine } from '@pipewright/core';
import { PostgresStore, PostgresStoreError, SCHEMA_VERSION } from '@pipewright/postgres';
import { useDatabase } from './support/database';
import { record } from './support/run-record';

const step = (output: unknown, metrics: Record<string, number> = {}) => ({
  status: 'succeeded' as const,
  output,
  attempts: 1,
  error: undefined,
  startedAt: 1,
  endedAt: 2,
  metrics,
  logs: [{ level: 'info' as const, message: 'hello', at: 1 }],
  artifacts: {},
});

describe('PostgresStore', () => {
  const database = useDatabase();
  const stores: PostgresStore[] = [];
  const open = (schema: string, options: { reconnectAttempts?: number } = {}): PostgresStore => {
    const store = new PostgresStore({ connectionString: database.url, schema, ...options });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
  });

  it('creates its schema once when several controllers open a fresh database at once', async () => {
    if (!database.available) return;
    const opened = Array.from({ length: 4 }, () => open('together'));
    await Promise.all(opened.map((store) => store.ready()));
    opened[0]!.beginRun(record('r1'));
    await opened[0]!.commit();
    expect((await opened[3]!.getRun('r1'))?.run.runId).toBe('r1');
  });

  it('refuses a schema written by a newer version, leaving it untouched', async () => {
    if (!database.available) return;
    const first = open('newer');
    first.beginRun(record('kept'));
    await first.commit();
    await first.close();
    const bump = new Client({ connectionString: database.url });
    await bump.connect();
    try {
      await bump.query(`UPDATE newer.schema_version SET version = ${SCHEMA_VERSION + 1}`);
    } finally {
      await bump.end();
    }
    const refused = open('newer');
    await expect(refused.ready()).rejects.toMatchObject({ name: 'PostgresStoreError', code: 'SCHEMA_TOO_NEW', foundVersion: SCHEMA_VERSION + 1, supportedVersion: SCHEMA_VERSION });
    await expect(refused.getRun('kept')).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
    const check = new Client({ connectionString: database.url });
    await check.connect();
    try {
      expect((await check.query('SELECT version FROM newer.schema_version')).rows).toEqual([{ version: SCHEMA_VERSION + 1 }]);
      expect((await check.query('SELECT run_id FROM newer.runs')).rows).toEqual([{ run_id: 'kept' }]);
    } finally {
      await check.end();
    }
  });

  it('reads back outputs with their key order, metrics NaN and ±Infinity, logs and steps in order of first save', async () => {
    if (!database.available) return;
    const store = open('values');
    store.beginRun(record('r1'));
    store.saveStep('r1', 'z', step({ b: 1, a: [2, { d: 3, c: 'x' }] }, { loss: Number.NaN, up: Number.POSITIVE_INFINITY, down: Number.NEGATIVE_INFINITY, n: 0.5 }));
    store.saveStep('r1', 'a', step('second'));
    await store.commit();
    store.saveStep('r1', 'z', step({ b: 2 }));
    await store.commit();
    const stored = await store.getRun('r1');
    expect(Object.keys(stored!.steps)).toEqual(['z', 'a']);
    expect(JSON.stringify(stored!.steps.z!.output)).toBe('{"b":2}');
    const first = open('values_2');
    first.beginRun(record('r2'));
    first.saveStep('r2', 's', step({ b: 1, a: [2, { d: 3, c: 'x' }] }, { loss: Number.NaN, up: Number.POSITIVE_INFINITY, down: Number.NEGATIVE_INFINITY, n: 0.5 }));
    await first.commit();
    const again = (await first.getRun('r2'))!.steps.s!;
    expect(JSON.stringify(again.output)).toBe('{"b":1,"a":[2,{"d":3,"c":"x"}]}');
    expect(again.metrics).toEqual({ loss: Number.NaN, up: Number.POSITIVE_INFINITY, down: Number.NEGATIVE_INFINITY, n: 0.5 });
    expect(again.logs).toEqual([{ level: 'info', message: 'hello', at: 1 }]);
  });

  it('rejects a commit that writes to a run never begun with UNKNOWN_RUN, and a value JSON cannot hold with NOT_SERIALIZABLE', async () => {
    if (!database.available) return;
    const store = open('unknown');
    store.saveStep('ghost', 'a', step(1));
    await expect(store.commit()).rejects.toMatchObject({ name: 'PostgresStoreError', code: 'UNKNOWN_RUN' });
    store.beginRun(record('r1'));
    await store.commit(); // the failed batch is gone; the store goes on
    expect(() => store.saveStep('r1', 'a', step({ n: BigInt(1) }))).toThrow(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }));
  });

  it('keeps artifact bytes in the database, once per content, readable by another controller', async () => {
    if (!database.available) return;
    const writer = open('blobs');
    const reader = open('blobs');
    const ref = await writer.artifacts.put({ runId: 'r1', step: 's', name: 'a.bin', data: new Uint8Array([1, 2, 3, 250]) });
    const same = await writer.artifacts.put({ runId: 'r2', step: 's', name: 'b.bin', data: Buffer.from([1, 2, 3, 250]) });
    expect(same.hash).toBe(ref.hash);
    expect(same.id).not.toBe(ref.id);
    expect([...(await reader.artifacts.get(ref))]).toEqual([1, 2, 3, 250]);
    await expect(reader.artifacts.get({ ...ref, hash: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'QUERY_FAILED' });
  });

  it('names what is wrong with its options, a closed store and an unreachable server', async () => {
    const invalid = (options: object) => {
      try {
        new PostgresStore(options as never);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(invalid({})).toMatchObject({ code: 'INVALID_OPTION' });
    expect(invalid({ connectionString: 'postgres://x', schema: 'Bad-Name' })).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('Bad-Name') });
    expect(invalid({ connectionString: 'postgres://x', maxConnections: 1 })).toMatchObject({ code: 'INVALID_OPTION' });
    expect(invalid({ connectionString: 'postgres://x', reconnectAttempts: -1 })).toBeInstanceOf(PostgresStoreError);

    // Nothing listens on port 1: the store reports it when first used, as CONNECTION_LOST.
    const nowhere = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none', reconnectAttempts: 0 });
    await expect(nowhere.ready()).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    const engine = new Engine({ store: nowhere });
    await expect(engine.history()).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    await engine.close();
    expect(() => nowhere.beginRun(record('late'))).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
    await nowhere.close(); // twice is fine
  });
});
