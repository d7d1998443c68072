import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { definePipeline, Engine } from '@pipewright/core';
import { SqliteStore, SqliteStoreError } from '@pipewright/sqlite';
import { useTempDir } from './support/temp-dir';

const ROOT = resolve(__dirname, '../../..');

const openError = (path: string, options: { mustExist?: boolean } = {}): unknown => {
  try {
    void new SqliteStore({ path, ...options }).close();
  } catch (error) {
    return error;
  }
  return new Error(`opened ${path}`);
};

/** Opens the store in a child process of an unprivileged user: for root, file modes mean nothing. */
const openAsUnprivileged = (path: string): Record<string, unknown> => {
  const asRoot = process.getuid?.() === 0;
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(__dirname, 'fixtures', 'open-store.ts'), path], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`the child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as Record<string, unknown>;
};

describe('a SQLite path that cannot hold the database', () => {
  const dir = useTempDir();
  jest.setTimeout(120_000);

  it('refuses a file that is not a database with NOT_A_DATABASE naming it, and leaves it alone', () => {
    const path = dir.file('notes.txt');
    writeFileSync(path, 'shopping list: milk, eggs\n'.repeat(200));
    const error = openError(path);
    expect(error).toBeInstanceOf(SqliteStoreError);
    expect(error).toMatchObject({ code: 'NOT_A_DATABASE', path });
    expect((error as Error).message).toContain(path);
  });

  it('refuses a folder with CANNOT_OPEN naming it', () => {
    const path = dir.file('a-folder');
    mkdirSync(path);
    expect(openError(path)).toMatchObject({ name: 'SqliteStoreError', code: 'CANNOT_OPEN', path, message: expect.stringContaining('it is a folder') });
  });

  it.each([['directly'], ['two levels']])('refuses a path under a regular file (%s) with CANNOT_OPEN naming it', (depth) => {
    writeFileSync(dir.file('plain'), 'x');
    const path = depth === 'directly' ? join(dir.file('plain'), 'runs.db') : join(dir.file('plain'), 'sub', 'runs.db');
    const error = openError(path);
    expect(error).toBeInstanceOf(SqliteStoreError);
    expect(error).toMatchObject({ code: 'CANNOT_OPEN', path, message: expect.stringContaining('is a file, not a folder') });
  });

  it('refuses a missing file with NOT_FOUND when it must exist, and creates nothing', () => {
    const path = dir.file('typo.db');
    expect(openError(path, { mustExist: true })).toMatchObject({ name: 'SqliteStoreError', code: 'NOT_FOUND', path });
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a read-only database file with READ_ONLY naming it', async () => {
    const path = dir.file('readonly.db');
    await new SqliteStore({ path }).close();
    chmodSync(dir.path, 0o777);
    chmodSync(path, 0o444);
    expect(openAsUnprivileged(path)).toMatchObject({ name: 'SqliteStoreError', code: 'READ_ONLY', path });
  });

  it('refuses a database in a read-only folder with READ_ONLY naming it', () => {
    const folder = dir.file('locked');
    mkdirSync(folder);
    chmodSync(dir.path, 0o755);
    chmodSync(folder, 0o555);
    const path = join(folder, 'runs.db');
    expect(openAsUnprivileged(path)).toMatchObject({ name: 'SqliteStoreError', code: 'READ_ONLY', path });
  });
});

describe('step names that are Object members', () => {
  const dir = useTempDir();

  it.each([['__proto__'], ['constructor'], ['toString']])('keeps a step named %s in inspect().steps', async (name) => {
    const definition = definePipeline({ name: `odd-names-${name}` })
      .addFunctionStep(name, () => 7)
      .addFunctionStep('after', (ctx) => (ctx.parents[name] as number) + 1, { parents: [name] })
      .build();
    const engine = new Engine({ store: new SqliteStore({ path: dir.file('runs.db') }) });
    try {
      const result = await engine.run(definition);
      const stored = await engine.inspect(result.runId);
      expect(Object.keys(stored.steps)).toEqual([name, 'after']);
      expect(Object.getOwnPropertyDescriptor(stored.steps, name)?.value).toMatchObject({ status: 'succeeded', output: 7 });
      expect(Object.getPrototypeOf(stored.steps)).toBe(Object.prototype);
    } finally {
      await engine.close();
    }
  });
});
