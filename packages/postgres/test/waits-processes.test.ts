import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { RunResult } from '@pipewright/core';
import { PostgresStore } from '@pipewright/postgres';
import { outcomeOf, spawnFixture, waitForFile } from './support/child';
import { useDatabase } from './support/database';
import { waitUntil } from './support/wait';

type Outcome = ReturnType<typeof outcomeOf>;

describe('durable waits and schedules across real controller processes on one PostgreSQL database', () => {
  jest.setTimeout(120_000);
  const database = useDatabase();
  let dir: string;
  let children: ChildProcess[];
  let store: PostgresStore | undefined;
  let specs = 0;
  let schema: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewright-pg-waits-'));
    children = [];
    schema = `waits_spec_${++specs}`;
  });
  afterEach(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const spawn = (args: readonly string[]): { child: ChildProcess; outcome: Outcome } => {
    const child = spawnFixture('waits-child.ts', [args[0] as string, database.url, ...args.slice(1)], { WAITS_DIR: dir, SCHEMA: schema });
    children.push(child);
    return { child, outcome: outcomeOf(child) };
  };
  const succeeded = async (outcome: Outcome): Promise<string> => {
    const { code, stdout, stderr } = await outcome;
    if (code !== 0) throw new Error(`the controller exited with ${String(code)}:\n${stderr}`);
    return stdout;
  };
  const query = async <T>(sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };

  it('a signal sent from a second controller releases the step waiting in the first, consuming it', async () => {
    if (!database.available) return;
    const driver = spawn(['drive']);
    await waitForFile(join(dir, 'run-id'), driver.child);
    const runId = readFileSync(join(dir, 'run-id'), 'utf8');
    store = new PostgresStore({ connectionString: database.url, schema });
    const journal = async (): Promise<string[]> => (await store!.readEvents(runId, 0)).map((entry) => entry.event.type);
    await waitUntil('the step to wait', async () => (await journal()).includes('step.waiting'));

    await succeeded(spawn(['signal', runId, 'approval', JSON.stringify({ ok: true, by: 'ana' })]).outcome);
    const result = JSON.parse(await succeeded(driver.outcome)) as RunResult;
    expect(result.status).toBe('succeeded');
    expect(result.steps.approve?.output).toMatchObject({ decision: { ok: true, by: 'ana' } });
    expect((await journal()).filter((type) => type.startsWith('step.'))).toEqual([
      'step.created', 'step.queued', 'step.started', 'step.waiting', 'step.started', 'step.succeeded',
    ]);
    // Delivered and consumed in one commit: the record holds the payload, no signal is left.
    expect(await store.readWaits(runId, 'approve')).toEqual([
      { seq: 0, record: { kind: 'signal', name: 'approval', payload: { ok: true, by: 'ana' }, deliveredAt: expect.any(Number) } },
    ]);
    expect(await query(`SELECT id FROM "${schema}".signals`)).toEqual([]);
  });

  it('two controllers with the same every-second schedule fire exactly one run per tick', async () => {
    if (!database.available) return;
    const controllers = [spawn(['schedule', '* * * * * *']), spawn(['schedule', '* * * * * *'])];
    for (const { child } of controllers) await waitForFile(join(dir, `ready-${String(child.pid)}`), child);
    type Tick = { tick_at: string; run_id: string; owner: string };
    const ticks = (): Promise<Tick[]> => query<Tick>(`SELECT tick_at, run_id, owner FROM "${schema}".schedule_ticks WHERE schedule_id = 'every-second' ORDER BY tick_at`);
    await waitUntil('four claimed ticks', async () => (await ticks()).length >= 4);
    for (const { child } of controllers) child.kill('SIGTERM');
    for (const { outcome } of controllers) await succeeded(outcome);

    const claimed = await ticks();
    const runs = await query<{ run_id: string; status: string }>(`SELECT run_id, status FROM "${schema}".runs WHERE pipeline = 'pg-waits-scheduled'`);
    // One run per claimed tick, no run without a tick, and no second run for any tick.
    expect(new Set(runs.map((run) => run.run_id))).toEqual(new Set(claimed.map((tick) => tick.run_id)));
    expect(runs).toHaveLength(claimed.length);
    // Consecutive seconds: none lost between the first tick and the last.
    const seconds = claimed.map((tick) => Number(tick.tick_at) / 1000);
    expect(seconds).toEqual(seconds.map((_, index) => (seconds[0] as number) + index));
  });
});
