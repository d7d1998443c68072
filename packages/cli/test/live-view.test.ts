import { execFileSync, spawn } from 'node:child_process';
import { BIN, FLAGSHIP, fixture, runCli, workDir } from './support/cli';

jest.setTimeout(60_000);

/** `script` from util-linux gives the child a pseudo-terminal: stdout.isTTY is true there. */
const hasScript = ((): boolean => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs `pipewright ...args` in a pseudo-terminal; resolves with its exit code and the raw terminal output. */
const runInTerminal = (args: readonly string[], cwd: string, rows?: number): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve) => {
    // `stty` sets the pseudo-terminal's real size, which is what the view reads.
    const size = rows === undefined ? '' : `stty rows ${rows} cols 100 && `;
    const command = size + [process.execPath, BIN, ...args].map(quote).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: { ...process.env, COLUMNS: '100', LINES: '40' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });

// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const plain = (text: string): string => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

(hasScript ? describe : describe.skip)('pipewright run on a terminal (pseudo-terminal via script)', () => {
  const dir = workDir();
  afterAll(() => dir.remove());

  it('draws a live view: every step with its status symbol, attempts and duration, and a progress bar, redrawn in place', async () => {
    const { code, output } = await runInTerminal(['run', fixture('failing.ts'), '--memory'], dir.path);
    expect(code).toBe(1);
    // Redrawn in place: log-update moves the cursor up and erases lines between frames.
    expect(output).toContain('\x1b[1A\x1b[2K');
    const text = plain(output);
    expect(text).toMatch(/failing@0\.0\.0 · run \S+/);
    // The first frame: both steps pending, an empty bar.
    expect(text).toMatch(/· flaky\s+pending/);
    expect(text).toMatch(/░{30} 0\/2 steps\s+0%/);
    // The last frame: the failure after 2 attempts, the skip, a full bar.
    expect(text).toMatch(/✖ flaky\s+failed\s+attempt 2\s+\d+ ms\s+disk on fire/);
    expect(text).toMatch(/⊘ after\s+skipped\s+.*step 'flaky' failed/);
    expect(text).toMatch(/█{30} 2\/2 steps 100% · \d+ ms · failed/);
    expect(text).toMatch(/✖ flaky: disk on fire\r?\n✖ failed in \d+ ms · run \S+/);
    // No plain event lines on a terminal.
    expect(text).not.toMatch(/step\.started/);
  });

  it('shows running steps, their latest metric or log line, and the growing bar on the flagship', async () => {
    const { code, output } = await runInTerminal(['run', FLAGSHIP, '--memory', '-p', 'rows=10'], dir.path);
    expect(code).toBe(0);
    const text = plain(output);
    expect(text).toMatch(/▶ train\s+running\s+attempt 1\s+\d+ ms\s+(loss=[\d.]+|training with lr=0\.01)/);
    expect(text).toMatch(/█{10}░{20} 1\/3 steps\s+33%/);
    expect(text).toMatch(/✔ evaluate\s+succeeded\s+attempt 1/);
    expect(text).toMatch(/✔ succeeded in [\d.]+ m?s · run \S+/);
  });

  it('prints console output of steps and callbacks above the view, keeps it in the step\'s logs, and keeps details current', async () => {
    const { code, output } = await runInTerminal(['run', fixture('chatty.ts'), '--store', 'chatty.db'], dir.path);
    expect(code).toBe(0);
    const text = plain(output);
    // Each console line on a line of its own, a step's prefixed with the step's name, never erased by a frame.
    expect(text).toMatch(/^\[report\] hello from the report step\r?$/m);
    expect(text).toMatch(/^\[report\] report step: done\r?$/m);
    expect(text).toMatch(/^callback saw fetch end\r?$/m);
    // The frame comes back below the line without erasing it first.
    // eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
    expect(output).toMatch(/hello from the report step\r?\n(?:\x1b\[\?25l)?(?:\x1b\[[0-9;]*m)*chatty@0\.0\.0/);
    // The retry's error is gone once the second attempt succeeded.
    const last = text.slice(text.lastIndexOf('chatty@0.0.0'));
    expect(last).toMatch(/✔ fetch\s+succeeded\s+attempt 2\s+\d+ ms\r?\n/);
    expect(last).not.toMatch(/flaky upstream/);
    const runId = /· run (\w{21})/.exec(text.slice(text.lastIndexOf('succeeded in')))?.[1] ?? 'missing';
    const shown = await runCli(['runs', 'show', runId, '--store', 'chatty.db', '--json'], dir.path);
    expect(shown.code).toBe(0);
    expect(JSON.stringify(JSON.parse(shown.stdout))).toMatch(/"message":"hello from the report step"/);
  });

  it('never draws a frame taller than the terminal: finished steps collapse into one line', async () => {
    const rows = 12;
    const { code, output } = await runInTerminal(['run', fixture('tall.ts'), '--memory'], dir.path, rows);
    expect(code).toBe(0);
    // log-update erases the previous frame before each new one: what lies between two erasures is a frame.
    // eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
    const frames = output.split(/(?:\x1b\[2K\x1b\[1A)*\x1b\[2K\x1b\[G/).map(plain).filter((frame) => frame.includes('tall@0.0.0'));
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame.trimEnd().split('\n').length).toBeLessThan(rows);
    const text = plain(output);
    expect(text).toMatch(/✔ \d+ finished \(\d+ succeeded\)/);
    expect(text).toMatch(/… \d+ more \(\d+ pending\)/);
    expect(text).toMatch(/█{30} 30\/30 steps 100%/);
  });
});
