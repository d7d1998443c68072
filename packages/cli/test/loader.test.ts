import type { RunResult } from '@pipewright/core';
import { requireOptional } from '../src/optional-package';
import { CliError } from '../src/errors';
import { fixture, linesOf, runCli, workDir } from './support/cli';

// Every test spawns the real binary; a busy machine makes that slow.
jest.setTimeout(60_000);

describe('the CLI loading pipeline files', () => {
  const dir = workDir();
  afterAll(() => dir.remove());

  it('runs an ESM file ("type": "module") that imports a .mts file, with constructor injection', async () => {
    const { code, stdout, stderr } = await runCli(['run', fixture('esm-project/pipeline.ts'), '--memory', '--plain'], dir.path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/step\.succeeded greet → "hello esm"/);
  });

  it('reports a syntax error with file, line and message, exit 2', async () => {
    const { code, stdout, stderr } = await runCli(['graph', fixture('syntax-error.ts')], dir.path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(linesOf(stderr)).toHaveLength(1);
    expect(stderr).toMatch(/^pipewright: Syntax error in .*fixtures\/syntax-error\.ts:3:15: Expression expected\.$/m);
  });

  it('keeps a failed step\'s stack (naming the .ts file and line) and cause chain in --json output', async () => {
    const { code, stdout } = await runCli(['run', fixture('caused.ts'), '--memory', '--json'], dir.path);
    expect(code).toBe(1);
    const result = JSON.parse(linesOf(stdout).at(-1) as string) as RunResult;
    const error = result.steps.load?.error;
    expect(error?.message).toBe('could not load the settings');
    expect(error?.stack).toMatch(/^Error: could not load the settings\n\s+at .*caused\.ts:16:\d+/);
    expect(error?.cause?.message).toBe('ENOENT: config.json');
    expect(error?.cause?.stack).toMatch(/caused\.ts:5:\d+/);
  });

  it('keeps them in the store: runs show --json prints the stack and the cause', async () => {
    const failed = await runCli(['run', fixture('caused.ts'), '--store', 'caused.db', '--json'], dir.path);
    const runId = (JSON.parse(linesOf(failed.stdout).at(-1) as string) as RunResult).runId;
    const shown = await runCli(['runs', 'show', runId, '--store', 'caused.db', '--json'], dir.path);
    expect(shown.code).toBe(0);
    const error = (JSON.parse(shown.stdout) as { steps: Record<string, { error?: RunResult['error'] }> }).steps.load?.error;
    expect(error?.stack).toMatch(/caused\.ts:16:\d+/);
    expect(error?.cause).toMatchObject({ message: 'ENOENT: config.json', name: 'Error' });
  });

  it('says which optional package to install when a command needs one that is missing', () => {
    const missing = (): unknown => requireOptional('@pipewright/not-installed', 'Keeping runs', ', or run with --memory');
    expect(missing).toThrow(CliError);
    expect(missing).toThrow('Keeping runs needs @pipewright/not-installed: install it (npm install @pipewright/not-installed), or run with --memory.');
  });
});
