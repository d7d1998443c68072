import { FLAGSHIP, fixture, runCli, workDir } from './support/cli';

jest.setTimeout(60_000);

describe('pipewright graph', () => {
  const dir = workDir();
  afterAll(() => dir.remove());

  it('draws the DAG as ascii by default: layers by depth, each step with its parents and notes', async () => {
    const { code, stdout, stderr } = await runCli(['graph', FLAGSHIP], dir.path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'ml@1.0.0 · 3 steps · params rows=1000, lr=0.01',
        'layer 0',
        '  └─ prepare',
        'layer 1',
        '  └─ train     ◀ prepare  task train-model',
        'layer 2',
        '  └─ evaluate  ◀ train    retry 2 · timeout 1m 00s',
        '',
      ].join('\n'),
    );
  });

  it('draws a diamond from a plain .js module exporting a builder definition', async () => {
    const { code, stdout } = await runCli(['graph', fixture('diamond.js'), '--format', 'ascii'], dir.path);
    expect(code).toBe(0);
    expect(stdout).toContain('layer 1\n  ├─ left    ◀ source\n  └─ right   ◀ source       retry 2\nlayer 2\n  └─ join    ◀ left, right\n');
  });

  it('prints Mermaid and DOT through core renderers', async () => {
    const mermaid = await runCli(['graph', fixture('diamond.js'), '--format', 'mermaid'], dir.path);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart TD\n/);
    expect(mermaid.stdout).toMatch(/s0\["source"\]/);
    expect(mermaid.stdout).toContain('s1 --> s3');

    const dot = await runCli(['graph', fixture('diamond.js'), '-f', 'dot'], dir.path);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "diamond" \{\n/);
    expect(dot.stdout).toContain('"left" -> "join";');
    expect(dot.stdout).toMatch(/\}\n$/);
  });

  it('rejects an unknown format with exit 2', async () => {
    const { code, stdout, stderr } = await runCli(['graph', FLAGSHIP, '--format', 'svg'], dir.path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/argument 'svg' is invalid\. Allowed choices are ascii, mermaid, dot\./);
  });
});
