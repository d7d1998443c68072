import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '@pipewright/sqlite';
import { fixture, linesOf, runCli, startCli, workDir } from './support/cli';
import type { CliProcess } from './support/cli';

// Every command is the real binary in a process of its own (a ts-node start each): slow on a busy machine.
jest.setTimeout(180_000);

const waitForFile = async (path: string, owner: CliProcess, timeoutMs = 90_000): Promise<void> => {
  let ended = false;
  void owner.done.then(() => (ended = true));
  for (const started = Date.now(); !existsSync(path); ) {
    if (ended) throw new Error(`pipewright ended before ${path} appeared: ${JSON.stringify(await owner.done)}`);
    if (Date.now() - started > timeoutMs) throw new Error(`no ${path} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** The newest run's id in the database, read with a connection of its own. */
const newestRun = (db: string): string => {
  const connection = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return connection.prepare('SELECT run_id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').pluck().get() as string;
  } finally {
    connection.close();
  }
};

describe('operating runs from the command line', () => {
  const dir = workDir();
  const db = join(dir.path, 'runs.db');
  const started: CliProcess[] = [];
  let gate = '';

  beforeEach(() => {
    gate = mkdtempSync(join(tmpdir(), 'pipewright-gate-'));
  });
  afterEach(async () => {
    for (const cli of started.splice(0)) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
      await cli.done;
    }
    delete process.env.GATE_DIR;
    rmSync(gate, { recursive: true, force: true });
  });
  afterAll(() => dir.remove());

  /** `pipewright run gated.ts`, held at its `hold` step; resolves with the process and the run id. */
  const startHeldRun = async (): Promise<{ cli: CliProcess; runId: string }> => {
    process.env.GATE_DIR = gate;
    const cli = startCli(['run', fixture('gated.ts'), '--store', db, '--plain'], dir.path);
    started.push(cli);
    await waitForFile(join(gate, 'at-hold'), cli);
    delete process.env.GATE_DIR;
    return { cli, runId: newestRun(db) };
  };

  it('watch shows a run another process drives; stop from a third process ends it, and both see it aborted', async () => {
    const { cli: runner, runId } = await startHeldRun();
    const watcher = startCli(['watch', runId, '--store', db, '--plain'], dir.path);
    started.push(watcher);
    await watcher.waitFor(/step\.started\s+hold/);

    const stopped = await runCli(['stop', runId, '--store', db, '--reason', 'enough'], dir.path);
    expect(stopped).toMatchObject({ code: 0, stderr: '' });
    expect(stopped.stdout).toBe(`Run ${runId} aborted.\n`);

    const [ran, watched] = await Promise.all([runner.done, watcher.done]);
    expect(ran.code).toBe(130);
    expect(watched.code).toBe(130);
    expect(watched.stdout).toMatch(/run\.started/);
    expect(watched.stdout).toMatch(/step\.aborted\s+hold/);
    expect(linesOf(watched.stdout).at(-1)).toMatch(new RegExp(`^run ${runId} aborted in `));

    const again = await runCli(['stop', runId, '--store', db], dir.path);
    expect(again).toMatchObject({ code: 0, stdout: `Run ${runId} has already ended: aborted.\n` });
  });

  it('runs marks a run whose process was killed as interrupted and suggests resume; recover finishes it', async () => {
    const { cli: runner, runId } = await startHeldRun();
    runner.child.kill('SIGKILL');
    await runner.done;

    const listed = await runCli(['runs', '--store', db], dir.path);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${runId}\\s+gated@1\\.0\\.0\\s+interrupted\\s`, 'm'));
    expect(listed.stdout).toContain(`Run ${runId} was interrupted (its process is gone): pipewright resume ${runId}`);
    const shown = await runCli(['runs', 'show', runId, '--store', db], dir.path);
    expect(shown.stdout).toMatch(/· interrupted\n/);

    const watched = await runCli(['watch', runId, '--store', db, '--plain'], dir.path);
    expect(watched.code).toBe(2);
    expect(watched.stderr).toContain(`Resume it with: pipewright resume ${runId}`);

    const recovered = await runCli(['recover', '--store', db], dir.path);
    expect(recovered).toMatchObject({ code: 0, stderr: '' });
    expect(recovered.stdout).toContain(`Resuming 1 interrupted run: ${runId}`);
    expect(recovered.stdout).toMatch(new RegExp(`^run ${runId} succeeded in `, 'm'));
    expect((await runCli(['runs', '--store', db, '--status', 'interrupted'], dir.path)).stdout).not.toContain(runId);
    expect(await runCli(['recover', '--store', db], dir.path)).toMatchObject({ code: 0, stdout: 'No interrupted runs.\n' });

    // The finished run, watched from another process: its whole journal, then the exit code of its status.
    const replay = await runCli(['watch', runId, '--store', db, '--json'], dir.path);
    expect(replay.code).toBe(0);
    const events = linesOf(replay.stdout).map((line) => JSON.parse(line) as { type?: string; status?: string });
    expect(events.at(-2)?.type).toBe('run.succeeded');
    expect(events.at(-1)).toMatchObject({ runId, status: 'succeeded' });
  });

  it('rerun --from runs that step and its descendants again with new params, keeping the others', async () => {
    const first = await runCli(['run', fixture('linear.ts'), '--store', db, '--json'], dir.path);
    const original = JSON.parse(linesOf(first.stdout).at(-1) as string) as { runId: string; steps: Record<string, { startedAt: number; output: unknown }> };

    const rerun = await runCli(['rerun', original.runId, '--from', 'double', '--param', 'double.factor=10', '--store', db, '--json'], dir.path);
    expect(rerun).toMatchObject({ code: 0, stderr: '' });
    const result = JSON.parse(linesOf(rerun.stdout).at(-1) as string) as typeof original & { status: string };
    expect(result.runId).not.toBe(original.runId);
    expect(result.status).toBe('succeeded');
    expect(result.steps.produce).toEqual(original.steps.produce); // kept, not run again
    expect(result.steps.double?.output).toEqual({ items: [10, 20] });
    expect(result.steps.total?.output).toEqual({ total: 30 });
    expect(result.steps.double?.startedAt).toBeGreaterThan(original.steps.total?.startedAt as number);

    const unknown = await runCli(['rerun', original.runId, '--from', 'dubble', '--store', db], dir.path);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^pipewright: Cannot fork run '\w+' from step 'dubble': pipeline 'linear' has no such step\. Steps: produce, double, total\.$/m);
  });

  it("runs show prints a failure's stack and its cause when the store kept them", async () => {
    const path = join(dir.path, 'errors.db');
    const store = new SqliteStore({ path });
    const cause = { name: 'TypeError', message: 'fetch failed', stack: 'TypeError: fetch failed\n    at fetchRows (/app/data.ts:3:9)' };
    const error = { name: 'Error', message: 'no rows', code: 'STEP_FAILED', stack: 'Error: no rows\n    at load (/app/pipeline.ts:12:11)\n    at run (/app/engine.ts:40:5)', cause };
    store.beginRun({ runId: 'r1', pipeline: 'p', version: '1', params: {}, input: {}, fingerprint: {}, status: 'running', startedAt: 1_000, endedAt: undefined, error: undefined });
    store.saveStep('r1', 'load', { status: 'failed', output: undefined, attempts: 1, error, startedAt: 1_000, endedAt: 1_100, metrics: {}, logs: [], artifacts: {} });
    store.endRun('r1', 'failed', 1_200, { name: 'Error', message: 'step load failed' });
    await store.close();

    const shown = await runCli(['runs', 'show', 'r1', '--store', path], dir.path);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      [
        '      error   no rows [STEP_FAILED]',
        '          at load (/app/pipeline.ts:12:11)',
        '          at run (/app/engine.ts:40:5)',
        '        caused by: TypeError: fetch failed',
        '          at fetchRows (/app/data.ts:3:9)',
      ].join('\n'),
    );
  });
});
