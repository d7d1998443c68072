import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, linesOf, runCli, workDir } from './support/cli';

/** A usage error: one line on stderr, nothing on stdout, exit 2, no stack trace. */
const expectUsageError = (outcome: { code: number | null; stdout: string; stderr: string }, message: RegExp): void => {
  expect({ code: outcome.code, stdout: outcome.stdout, lines: linesOf(outcome.stderr).length }).toEqual({ code: 2, stdout: '', lines: 1 });
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).not.toMatch(/unexpected error|^\s+at /m);
};

jest.setTimeout(60_000);

describe('pipewright on bad stores and parameters', () => {
  const dir = workDir();
  afterAll(() => dir.remove());

  it('names a parameter called __proto__ as unknown instead of dropping it', async () => {
    expectUsageError(
      await runCli(['run', fixture('linear.ts'), '--memory', '--param', '__proto__=1'], dir.path),
      /^pipewright: Pipeline 'linear' has no parameter '__proto__'\. Declared: count, label\.$/m,
    );
  });

  it('refuses a --store file that is not a database, naming it', async () => {
    const path = join(dir.path, 'notes.txt');
    writeFileSync(path, 'not a database\n'.repeat(100));
    expectUsageError(await runCli(['run', fixture('linear.ts'), '--store', path], dir.path), new RegExp(`^pipewright: ${path} is not a Pipewright SQLite database`, 'm'));
    expectUsageError(await runCli(['runs', '--store', path], dir.path), /is not a Pipewright SQLite database/);
  });

  it('refuses a --store that is a folder, naming it', async () => {
    const path = join(dir.path, 'a-folder');
    mkdirSync(path);
    expectUsageError(await runCli(['run', fixture('linear.ts'), '--store', path], dir.path), new RegExp(`Cannot open the database ${path}: it is a folder`));
  });

  it('refuses a --store under a regular file, naming it', async () => {
    writeFileSync(join(dir.path, 'plain'), 'x');
    const path = join(dir.path, 'plain', 'runs.db');
    expectUsageError(await runCli(['run', fixture('linear.ts'), '--store', path], dir.path), new RegExp(`Cannot open the database ${path}: a part of its folder`));
  });

  it.each([
    ['resume', ['resume', 'AnyRunId']],
    ['runs', ['runs']],
    ['runs show', ['runs', 'show', 'AnyRunId']],
  ])('%s refuses a --store file that does not exist, and creates none', async (_command, args) => {
    const path = join(dir.path, 'typo.db');
    expectUsageError(await runCli([...args, '--store', path], dir.path), new RegExp(`^pipewright: No database at ${path}`, 'm'));
    expect(existsSync(path)).toBe(false);
  });
});
