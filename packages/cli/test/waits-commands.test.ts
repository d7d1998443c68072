import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { startCli, runCli, workDir } from './support/cli';
import type { CliProcess } from './support/cli';

// Every command is the real binary in a process of its own (a ts-node start each): slow on a busy machine.
jest.setTimeout(180_000);

const APPROVAL = resolve(__dirname, '..', '..', '..', 'examples', 'approval', 'approval-pipeline.ts');

const newestRun = (db: string): string => {
  const connection = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return connection.prepare('SELECT run_id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').pluck().get() as string;
  } finally {
    connection.close();
  }
};

describe('durable waits from the command line: signal, schedules, serve', () => {
  const dir = workDir();
  const db = join(dir.path, 'runs.db');
  const started: CliProcess[] = [];
  const start = (args: readonly string[]): CliProcess => {
    const cli = startCli(args, dir.path);
    started.push(cli);
    return cli;
  };
  afterEach(async () => {
    for (const cli of started.splice(0)) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
      await cli.done;
    }
  });
  afterAll(() => dir.remove());

  it('serve recovers a run killed mid-flight; the approval sent while nobody drove it is delivered; SIGTERM stops it', async () => {
    const runner = start(['run', APPROVAL, '--store', db, '--plain']);
    await runner.waitFor(/waiting for signal 'approval'/);
    const runId = newestRun(db);
    runner.child.kill('SIGKILL');
    await runner.done;

    const notJson = await runCli(['signal', runId, 'approval', '--data', '{ok: yes}', '--store', db], dir.path);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^pipewright: --data of signal 'approval' must be JSON/);
    const sent = await runCli(['signal', runId, 'approval', '--data', '{"ok":true,"by":"ana"}', '--store', db], dir.path);
    expect(sent).toMatchObject({ code: 0, stdout: `Sent signal 'approval' to run ${runId}.\n`, stderr: '' });

    const serve = start(['serve', '--module', APPROVAL, '--store', db, '--no-dashboard', '--recover-every', '200']);
    await serve.waitFor(new RegExp(`run ${runId} succeeded`));
    await serve.waitFor(/schedule approval:\w+: '0 3 \* \* \*', next \d{4}-\d\d-\d\dT03:00:00\.000Z/);
    serve.child.kill('SIGTERM');
    const served = await serve.done;
    expect(served.code).toBe(0);
    expect(served.stdout).toContain(`resumed run ${runId}`);
    expect(served.stdout).toContain('SIGTERM: stopping');

    const shown = await runCli(['runs', 'show', runId, '--store', db, '--json'], dir.path);
    const run = JSON.parse(shown.stdout) as { steps: Record<string, { status: string; output: unknown }> };
    expect(run.steps.deploy).toMatchObject({ status: 'succeeded', output: { deployed: true, approvedBy: 'ana' } });

    const finished = await runCli(['signal', runId, 'approval', '--store', db], dir.path);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain(`Run '${runId}' has ended (succeeded)`);
    const unknown = await runCli(['signal', 'nope', 'approval', '--store', db], dir.path);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("No run 'nope' in the store");

    const listed = await runCli(['schedules', '--store', db], dir.path);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^approval:\w+ {2}approval@1\.0\.0 {2}'0 3 \* \* \*' UTC {2}next \d{4}-\d\d-\d\dT03:00:00\.000Z {2}last -\n$/);
  });
});
