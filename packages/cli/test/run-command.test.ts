import type { PipelineEvent, RunResult } from '@pipewright/core';
import { FLAGSHIP, fixture, linesOf, runCli, startCli, workDir } from './support/cli';

// Every test spawns the real binary (a TypeScript start each); a busy machine makes that slow.
jest.setTimeout(60_000);

describe('pipewright run', () => {
  const dir = workDir();
  afterAll(() => dir.remove());

  it('runs the only pipeline a file exports and prints one plain line per event off a terminal, exit 0', async () => {
    const { code, stdout, stderr } = await runCli(['run', fixture('linear.ts'), '--memory'], dir.path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = linesOf(stdout);
    const types = lines.slice(0, -1).map((line) => /^\+\s*\d+ ms  (\S+)/.exec(line)?.[1]);
    // Every line but the summary is an event line.
    expect(types).not.toContain(undefined);
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.succeeded');
    expect(types.filter((type) => type === 'step.succeeded')).toHaveLength(3);
    expect(stdout).toMatch(/step\.log\s+produce: producing 2 items/);
    expect(stdout).toMatch(/step\.metric\s+double: factor=2/);
    expect(stdout).toMatch(/step\.succeeded total → \{"total":6\}/);
    expect(lines.at(-1)).toMatch(/^run \S+ succeeded in \d+ ms \(3 succeeded\)$/);
  });

  it('with --json prints every event as a JSON line, then the RunResult, and applies --param values (JSON or string, step.param)', async () => {
    const { code, stdout } = await runCli(
      ['run', fixture('linear.ts'), 'LinearPipeline', '--json', '--memory', '--param', 'count=3', '--param', 'label=widgets', '-p', 'double.factor=10'],
      dir.path,
    );
    expect(code).toBe(0);
    const lines = linesOf(stdout).map((line) => JSON.parse(line) as unknown);
    const events = lines.slice(0, -1) as PipelineEvent[];
    const result = lines.at(-1) as RunResult;
    expect(events[0]).toMatchObject({ type: 'run.started', pipeline: 'linear', version: '2.0.0', params: { count: 3, label: 'widgets' } });
    expect(events.at(-1)?.type).toBe('run.succeeded');
    expect(events.every((event) => event.runId === result.runId)).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step.log', step: 'produce', message: 'producing 3 widgets' }));
    expect(result.status).toBe('succeeded');
    expect(result.steps['double']?.output).toEqual({ items: [10, 20, 30] });
    expect(result.steps['total']?.output).toEqual({ total: 60 });
  });

  it('runs the flagship example by name with --param rows=10 and keeps it in the SQLite store by default', async () => {
    const { code, stdout } = await runCli(['run', FLAGSHIP, 'MlPipeline', '--param', 'rows=10'], dir.path);
    expect(code).toBe(0);
    for (const step of ['prepare', 'train', 'evaluate']) expect(stdout).toMatch(new RegExp(`step\\.succeeded ${step} → `));
    expect(stdout).toMatch(/step\.log\s+train: training with lr=0\.01 for 5 epochs/);
    expect(stdout).toMatch(/step\.metric\s+train: loss=/);
    expect(stdout).toMatch(/step\.succeeded prepare → \{"rows":10\}/);
    expect(stdout).toMatch(/details: pipewright runs show \S+$/m);
  });

  it('exits 1 when the run fails, after showing the retry, the failure and the skipped child', async () => {
    const { code, stdout } = await runCli(['run', fixture('failing.ts'), '--memory'], dir.path);
    expect(code).toBe(1);
    expect(stdout).toMatch(/step\.retrying\s+flaky after attempt 1: disk on fire/);
    expect(stdout).toMatch(/step\.failed\s+flaky \(attempt 2\): disk on fire/);
    expect(stdout).toMatch(/step\.skipped\s+after: /);
    expect(stdout).toMatch(/run\.failed/);
  });

  it('stops the run gracefully on Ctrl-C (SIGINT) during a slow step and exits 130', async () => {
    const cli = startCli(['run', fixture('slow.ts'), 'SlowPipeline', '--memory'], dir.path);
    await cli.waitFor(/step\.log\s+wait: waiting/);
    cli.child.kill('SIGINT');
    const { code, stdout } = await cli.done;
    expect(code).toBe(130);
    expect(stdout).toMatch(/Stopping the run/);
    expect(stdout).toMatch(/step\.aborted\s+wait \(attempt 1\): .*\[RUN_STOPPED\]/);
    expect(stdout).toMatch(/run\.aborted/);
    expect(stdout).toMatch(/\(1 succeeded, 1 aborted\)/);
  });

  it('quits at once with 130 on a second Ctrl-C when the run cannot finish stopping', async () => {
    const cli = startCli(['run', fixture('slow.ts'), 'StubbornPipeline', '--memory'], dir.path);
    await cli.waitFor(/step\.log\s+wait: waiting/);
    cli.child.kill('SIGINT');
    await cli.waitFor(/Stopping the run/);
    cli.child.kill('SIGINT');
    const { code, stdout, stderr } = await cli.done;
    expect(code).toBe(130);
    expect(stderr).toMatch(/Quit before the run finished stopping/);
    expect(stdout).not.toMatch(/run\.aborted/);
  });

  it('says the run stalled, and exits 1, when a step awaits a promise nothing can settle', async () => {
    const { code, stdout, stderr } = await runCli(['run', fixture('stall.ts'), '--memory'], dir.path);
    expect(code).toBe(1);
    expect(stdout).toMatch(/step\.started\s+never/);
    expect(stderr).toBe('pipewright: the run stalled: a step or callback awaits a promise that can never settle.\n');
  });
});
