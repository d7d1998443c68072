import { join } from 'node:path';
import { fixture, runCli, startCli, workDir } from './support/cli';
import type { CliProcess } from './support/cli';

/** Starts `pipewright dashboard` and resolves with its URL once it listens. */
const startDashboard = async (args: readonly string[], cwd: string): Promise<{ cli: CliProcess; url: string }> => {
  const cli = startCli(['dashboard', ...args], cwd);
  let printed = '';
  cli.child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  await cli.waitFor(/dashboard on http:\/\/127\.0\.0\.1:\d+\//);
  return { cli, url: (/(http:\/\/127\.0\.0\.1:\d+\/)/.exec(printed) as RegExpExecArray)[1] as string };
};

describe('pipewright dashboard', () => {
  let dir: { path: string; remove: () => void };
  beforeEach(() => {
    dir = workDir();
  });
  afterEach(() => dir.remove());

  it('serves the runs of a store, drawing the DAG of a run from the module pipewright run recorded, until Ctrl-C', async () => {
    const store = join(dir.path, 'runs.db');
    expect((await runCli(['run', fixture('linear.ts'), '--store', store, '--plain'], dir.path)).code).toBe(0);
    const { cli, url } = await startDashboard(['--store', store, '--port', '0'], dir.path);
    try {
      const list = (await (await fetch(`${url}api/runs`)).json()) as { runs: Array<{ runId: string; pipeline: string; status: string }> };
      expect(list.runs).toHaveLength(1);
      expect(list.runs[0]).toMatchObject({ pipeline: 'linear', status: 'succeeded' });
      const view = (await (await fetch(`${url}api/runs/${list.runs[0]?.runId}`)).json()) as { graph: { known: boolean; nodes: Array<{ key: string; parents: string[] }> } };
      expect(view.graph.known).toBe(true);
      expect(view.graph.nodes.find((node) => node.key === 'double')?.parents).toEqual(['produce']);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('assets/app.js');
    } finally {
      cli.child.kill('SIGINT');
    }
    expect((await cli.done).code).toBe(0);
  });

  it('refuses a bad port with a usage error', async () => {
    const outcome = await runCli(['dashboard', '--store', join(dir.path, 'runs.db'), '--port', 'http'], dir.path);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("--port must be a whole number from 0 to 65535, got 'http'");
  });
});
