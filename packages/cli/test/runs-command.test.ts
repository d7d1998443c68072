import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult, RunSummary, StoredRun } from '@pipewright/core';
import { fixture, linesOf, runCli, startCli, workDir } from './support/cli';

// Every test spawns the real binary (a TypeScript start each); a busy machine makes that slow.
jest.setTimeout(60_000);

describe('pipewright runs, runs show and resume (SQLite store)', () => {
  const dir = workDir();
  afterAll(() => dir.remove());
  let succeeded: string;
  let failed: string;
  let stopped: string;

  beforeAll(async () => {
    const ok = await runCli(['run', fixture('linear.ts'), '--json', '-p', 'count=4'], dir.path);
    succeeded = (JSON.parse(linesOf(ok.stdout).at(-1) as string) as RunResult).runId;
    const bad = await runCli(['run', fixture('failing.ts'), '--json'], dir.path);
    failed = (JSON.parse(linesOf(bad.stdout).at(-1) as string) as RunResult).runId;
    const cli = startCli(['run', fixture('resumable.ts'), '--param', 'label=resumed'], dir.path);
    await cli.waitFor(/first attempt: hanging/);
    cli.child.kill('SIGINT');
    const interrupted = await cli.done;
    expect(interrupted.code).toBe(130);
    stopped = /^run (\S+) aborted/m.exec(interrupted.stdout)?.[1] as string;
  });

  it('lists the stored runs newest first, and filters them by pipeline, status and limit', async () => {
    const all = await runCli(['runs'], dir.path);
    expect(all.code).toBe(0);
    const lines = linesOf(all.stdout);
    expect(lines[0]).toMatch(/^RUN\s+PIPELINE\s+STATUS\s+STARTED \(UTC\)\s+DURATION$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([stopped, failed, succeeded]);
    expect(lines[2]).toMatch(/failing@0\.0\.0\s+failed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+ ms/);

    const filtered = await runCli(['runs', '--pipeline', 'linear', '--status', 'succeeded', '--limit', '5', '--json'], dir.path);
    expect((JSON.parse(filtered.stdout) as RunSummary[]).map((run) => run.runId)).toEqual([succeeded]);
  });

  it('shows one run with its steps, statuses, durations, errors, outputs and metrics', async () => {
    const shown = await runCli(['runs', 'show', failed], dir.path);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^run ${failed} · failing@0\\.0\\.0 · failed$`, 'm'));
    expect(shown.stdout).toMatch(/^error Step 'flaky' failed: disk on fire/m);
    expect(shown.stdout).toMatch(/^ {2}flaky\s+failed\s+2 attempts\s+\d+ ms\n\s+error\s+disk on fire$/m);
    expect(shown.stdout).toMatch(/^ {2}after\s+skipped$/m);

    const json = await runCli(['runs', 'show', succeeded, '--json'], dir.path);
    const stored = JSON.parse(json.stdout) as StoredRun;
    expect(stored.run).toMatchObject({ runId: succeeded, pipeline: 'linear', status: 'succeeded', params: { count: 4 } });
    expect(stored.steps['total']?.output).toEqual({ total: 20 });
    expect(stored.steps['double']?.metrics).toEqual({ factor: 2 });
  });

  it('resumes a stopped run under the same id from the file it was run from, without re-running finished steps', async () => {
    const resumed = await runCli(['resume', stopped, '--json'], dir.path);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const result = JSON.parse(linesOf(resumed.stdout).at(-1) as string) as RunResult;
    expect(result).toMatchObject({ runId: stopped, status: 'succeeded' });
    expect(result.steps['work']?.output).toEqual({ done: 'resumed' });
    expect(readFileSync(join(dir.path, 'setup.count'), 'utf8')).toBe('1');

    const shown = await runCli(['runs', 'show', stopped], dir.path);
    expect(shown.stdout).toMatch(/^ {2}work\s+succeeded\s+1 attempt\s+\d+ ms\n(.*\n)*\s+metrics items=3$/m);
  });

  it('asks for the file when no module is recorded for the run', async () => {
    const other = workDir();
    try {
      // A run in a store of its own, whose record of modules is then lost.
      const store = join(other.path, 'elsewhere.db');
      const run = await runCli(['run', fixture('linear.ts'), '--store', store, '--json'], dir.path);
      const runId = (JSON.parse(linesOf(run.stdout).at(-1) as string) as RunResult).runId;
      writeFileSync(join(other.path, 'modules.json'), '{}');
      const { code, stderr } = await runCli(['resume', runId, '--store', store], dir.path);
      expect(code).toBe(2);
      expect(stderr).toBe(`pipewright: No pipeline file is recorded for run '${runId}': pass it, as in pipewright resume ${runId} <file.ts>.\n`);
    } finally {
      other.remove();
    }
  });
});
