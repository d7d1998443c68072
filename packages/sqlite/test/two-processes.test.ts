import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '@pipewright/sqlite';
import { outcomeOf, spawnFixture, waitForFile } from './support/child';
import { integrityOf, useTempDir } from './support/temp-dir';

/** Starts both children, waits until both are ready, then lets them go at once. */
const race = async (dir: string, mode: string, db: string, count: number) => {
  const children = ['alpha', 'beta'].map((name) => spawnFixture('concurrent-writer.ts', [mode, db, dir, name, String(count)]));
  const outcomes = children.map(outcomeOf);
  await Promise.all(children.map((child, index) => waitForFile(join(dir, `${['alpha', 'beta'][index]}.ready`), child)));
  writeFileSync(join(dir, 'go'), '');
  return Promise.all(outcomes);
};

describe('two processes on one database file', () => {
  const dir = useTempDir();
  jest.setTimeout(120_000);

  it('write runs at the same time without corrupting the file or losing a write', async () => {
    const db = dir.file('shared.db');
    const outcomes = await race(dir.path, 'write', db, 15);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: 0, stderr: '' });
    const runIds = outcomes.flatMap((outcome) => (JSON.parse(outcome.stdout) as { runIds: string[] }).runIds);
    expect(runIds).toHaveLength(30);

    expect(integrityOf(db)).toBe('ok');
    const store = new SqliteStore({ path: db });
    try {
      expect(store.listRuns({ status: 'succeeded' })).toHaveLength(30);
      for (const runId of runIds) {
        const stored = store.getRun(runId);
        expect(Object.values(stored?.steps ?? {}).map((step) => step.status)).toEqual(Array(10).fill('succeeded'));
        expect(stored?.steps.s9?.output).toEqual({ n: 9, by: stored?.run.pipeline.replace('writer-', '') });
        expect(store.events(runId).at(-1)?.type).toBe('run.succeeded');
      }
    } finally {
      await store.close();
    }
  });

  it('never both hold the lease of a run', async () => {
    const outcomes = await race(dir.path, 'lease', dir.file('shared.db'), 25);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: 0, stderr: '' });
    const results = outcomes.map((outcome) => JSON.parse(outcome.stdout) as { acquired: number; collisions: number });
    expect(results).toEqual([
      { acquired: 25, collisions: 0 },
      { acquired: 25, collisions: 0 },
    ]);
    expect(existsSync(dir.file('inside'))).toBe(false);
  });

  it('lets another process take a lease only once the dead holder’s has expired', async () => {
    const db = dir.file('shared.db');
    const holder = spawnFixture('concurrent-writer.ts', ['hold', db, dir.path, 'holder', '2000']);
    const exited = outcomeOf(holder);
    await waitForFile(dir.file('holding'), holder);
    holder.kill('SIGKILL');
    await exited;

    const store = new SqliteStore({ path: db });
    try {
      // The store itself knows nothing of processes: only the TTL frees a lease (the engine checks pids).
      const successor = { owner: 'successor', host: 'elsewhere', pid: 1 };
      expect(store.acquireLease('held', successor, 10_000).owner).toBe('holder');
      while (store.acquireLease('held', successor, 10_000).owner !== 'successor') await new Promise((resolve) => setTimeout(resolve, 20));
      expect(store.acquireLease('held', { ...successor, owner: 'holder' }, 10_000).owner).toBe('successor');
    } finally {
      await store.close();
    }
    expect(integrityOf(db)).toBe('ok');
  });
});
