import 'reflect-metadata';
import { Engine, Pipeline, PipelineGraph, Step, Task, toDot, toMermaid } from '@pipewright/core';
import type { StepContext, StepNode } from '@pipewright/core';

const node = (name: string, parents: string[] = [], spawnedBy?: string): StepNode => ({
  name,
  parents,
  body: { kind: 'method', method: name },
  options: {},
  declaredParams: {},
  ...(spawnedBy === undefined ? {} : { spawnedBy }),
});

const diamond = PipelineGraph.from('diamond', [node('load'), node('left', ['load']), node('right', ['load']), node('join', ['left', 'right'])]);

describe('toMermaid', () => {
  it('draws a diamond as a top-down flowchart with labelled nodes in topological order', () => {
    expect(toMermaid(diamond)).toBe(
      [
        'flowchart TD',
        '  s0["load"]',
        '  s1["left"]',
        '  s2["right"]',
        '  s3["join"]',
        '  s0 --> s1',
        '  s0 --> s2',
        '  s1 --> s3',
        '  s2 --> s3',
        '',
      ].join('\n'),
    );
  });

  it('colours nodes by status with one classDef per status present, in lifecycle order', () => {
    const statuses = { load: 'succeeded', left: 'failed', right: 'succeeded', join: 'skipped', ghost: 'running' } as const;
    expect(toMermaid(diamond, statuses)).toBe(
      [
        'flowchart TD',
        '  s0["load"]',
        '  s1["left"]',
        '  s2["right"]',
        '  s3["join"]',
        '  s0 --> s1',
        '  s0 --> s2',
        '  s1 --> s3',
        '  s2 --> s3',
        '  classDef succeeded fill:#d4edda,stroke:#28a745',
        '  class s0,s2 succeeded',
        '  classDef failed fill:#f8d7da,stroke:#dc3545',
        '  class s1 failed',
        '  classDef skipped fill:#eeeeee,stroke:#bdbdbd',
        '  class s3 skipped',
        '',
      ].join('\n'),
    );
  });

  it('escapes names that would break a quoted label, and dots edges to spawned steps', () => {
    const graph = PipelineGraph.from('odd', [node('say "hi" <b>#1</b>')]).withNode(node('trial\nnext', ['say "hi" <b>#1</b>'], 'say "hi" <b>#1</b>'));
    expect(toMermaid(graph, { 'trial\nnext': { status: 'running' } })).toBe(
      [
        'flowchart TD',
        '  s0["say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;"]',
        '  s1["trial next"]',
        '  s0 -.-> s1',
        '  classDef running fill:#fff3cd,stroke:#f0ad4e',
        '  class s1 running',
        '',
      ].join('\n'),
    );
  });

  it('ignores statuses that are not step statuses', () => {
    expect(toMermaid(diamond, { load: 'bogus' as never })).toBe(toMermaid(diamond));
  });
});

describe('toDot', () => {
  it('draws a diamond as a Graphviz digraph', () => {
    expect(toDot(diamond)).toBe(
      [
        'digraph "diamond" {',
        '  rankdir=TB;',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff"];',
        '  "load";',
        '  "left";',
        '  "right";',
        '  "join";',
        '  "load" -> "left";',
        '  "load" -> "right";',
        '  "left" -> "join";',
        '  "right" -> "join";',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('fills nodes with their status colour', () => {
    const dot = toDot(diamond, { load: 'cached', left: 'running' });
    expect(dot).toContain('  "load" [fillcolor="#d1ecf1", color="#17a2b8", tooltip="cached"];\n');
    expect(dot).toContain('  "left" [fillcolor="#fff3cd", color="#f0ad4e", tooltip="running"];\n');
    expect(dot).toContain('  "right";\n');
  });

  it('escapes quotes, backslashes and line breaks in names, and dashes edges to spawned steps', () => {
    const graph = PipelineGraph.from('a "b"', [node('c:\\tmp')]).withNode(node('x"\ny', ['c:\\tmp'], 'c:\\tmp'));
    expect(toDot(graph)).toBe(
      [
        'digraph "a \\"b\\"" {',
        '  rankdir=TB;',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff"];',
        '  "c:\\\\tmp";',
        '  "x\\"\\ny";',
        '  "c:\\\\tmp" -> "x\\"\\ny" [style=dashed];',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('pictures of a real run', () => {
  @Task({ name: 'probe' })
  class Probe {
    execute() {
      return 1;
    }
  }

  @Pipeline({ name: 'pictured' })
  class Pictured {
    @Step()
    async control(ctx: StepContext) {
      return ctx.spawn(Probe, { name: 'probe-1' });
    }

    @Step({ parents: ['control'] })
    report() {
      throw new Error('no');
    }
  }

  it('takes a RunResult’s steps as statuses and shows spawned steps', async () => {
    const run = new Engine().start(Pictured);
    const result = await run.result;
    expect(toMermaid(run.graph, result.steps)).toBe(
      [
        'flowchart TD',
        '  s0["control"]',
        '  s1["report"]',
        '  s2["probe-1"]',
        '  s0 --> s1',
        '  s0 -.-> s2',
        '  classDef succeeded fill:#d4edda,stroke:#28a745',
        '  class s0,s2 succeeded',
        '  classDef failed fill:#f8d7da,stroke:#dc3545',
        '  class s1 failed',
        '',
      ].join('\n'),
    );
  });
});
