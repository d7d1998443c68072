import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDistributedReport, redisServerOnPath } from '../src/distributed';
import { BenchmarkError } from '../src/errors';
import type { BenchRow } from '../src/harness';
import { planMeasurements } from '../src/plan';
import { judgeTargets } from '../src/targets';
import { formatTargets } from '../src/targets-table';

const row = (workload: BenchRow['workload'], steps: number, engine: BenchRow['engine'], store: BenchRow['store'], medianMs: number, cpuMs = medianMs): BenchRow => ({
  workload,
  steps,
  edges: 0,
  engine,
  store,
  medianMs,
  usPerStep: (medianMs * 1000) / steps,
  peakRssMb: 100,
  runs: 5,
  cpuMs,
  cpuUsPerStep: (cpuMs * 1000) / steps,
  batch: workload === 'small' ? 2000 : 1,
});

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof BenchmarkError ? error.code : String(error);
  }
};

describe('the plan', () => {
  const engines = [
    { engine: 'promise-floor', store: 'memory' },
    { engine: 'p-graph', store: 'memory' },
    { engine: 'pipewright', store: 'memory' },
    { engine: 'pipewright', store: 'sqlite' },
    { engine: 'pipewright', store: 'postgres' },
  ] as const;

  it('runs small once per engine (not Postgres) in batches, spawn on Pipewright only, static shapes everywhere, in table order', () => {
    const specs = planMeasurements({ shapes: ['lattice', 'spawn', 'small'], sizes: [1000, 100_000], engines, runs: 5 });
    const labels = specs.map((s) => `${s.shape} ${s.steps} ${s.engine}:${s.store} w${s.warmup}${s.batch ? ` b${s.batch}` : ''}`);
    expect(labels).toEqual([
      'small 10 promise-floor:memory w2 b2000',
      'small 10 p-graph:memory w2 b2000',
      'small 10 pipewright:memory w2 b2000',
      'small 10 pipewright:sqlite w2 b2000',
      'spawn 1000 pipewright:memory w2',
      'spawn 1000 pipewright:sqlite w2',
      'spawn 1000 pipewright:postgres w2',
      'spawn 100000 pipewright:memory w1',
      'spawn 100000 pipewright:sqlite w1',
      'spawn 100000 pipewright:postgres w1',
      ...engines.map((e) => `lattice 1000 ${e.engine}:${e.store} w2`),
      ...engines.map((e) => `lattice 100000 ${e.engine}:${e.store} w1`),
    ]);
  });

  it('takes the batch size and warm-ups it is given', () => {
    const [spec] = planMeasurements({ shapes: ['small'], sizes: [], engines: [engines[0]], runs: 3, warmup: 0, smallBatch: 10 });
    expect(spec).toMatchObject({ steps: 10, runs: 3, warmup: 0, batch: 10 });
  });
});

describe('the BullMQ report', () => {
  const report = { rawJobsPerSecond: 1700, agents: [{ agents: 1, stepsPerSecond: 830 }, { agents: 2, stepsPerSecond: 1400 }] };

  it('is the last line of the script’s stdout, after its human-readable lines', () => {
    expect(parseDistributedReport(`raw BullMQ, 1 worker  900 /s\nPipewright / raw: 81%\n${JSON.stringify(report)}\n\n`)).toEqual(report);
  });

  it('is a DISTRIBUTED_FAILED error when absent, not JSON, or missing a figure', () => {
    expect(codeOf(() => parseDistributedReport('Pipewright / raw: 81% with 1 process, 53% with 2\n'))).toBe('DISTRIBUTED_FAILED');
    expect(codeOf(() => parseDistributedReport(''))).toBe('DISTRIBUTED_FAILED');
    expect(codeOf(() => parseDistributedReport(JSON.stringify({ ...report, agents: [report.agents[0]] })))).toBe('DISTRIBUTED_FAILED');
    expect(codeOf(() => parseDistributedReport(JSON.stringify({ ...report, rawJobsPerSecond: null })))).toBe('DISTRIBUTED_FAILED');
  });

  it('is measured by default only when redis-server is an executable on $PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-path-'));
    expect(redisServerOnPath(dir)).toBe(false);
    writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\n');
    expect(redisServerOnPath(dir)).toBe(false);
    chmodSync(join(dir, 'redis-server'), 0o755);
    expect(redisServerOnPath(`/nonexistent:${dir}`)).toBe(true);
  });
});

describe('the targets', () => {
  const rows: BenchRow[] = [
    row('small', 10, 'promise-floor', 'memory', 0.01),
    row('small', 10, 'p-graph', 'memory', 0.04),
    row('small', 10, 'pipewright', 'memory', 0.03, 0.05),
    row('small', 10, 'pipewright', 'sqlite', 0.6, 0.3),
    row('chain', 100_000, 'promise-floor', 'memory', 20),
    row('chain', 100_000, 'p-graph', 'memory', 250),
    row('chain', 100_000, 'pipewright', 'memory', 180),
    row('chain', 100_000, 'pipewright', 'sqlite', 2400),
    row('fanout', 100_000, 'promise-floor', 'memory', 50),
    row('fanout', 100_000, 'p-graph', 'memory', 350),
    row('fanout', 100_000, 'pipewright', 'memory', 600),
    row('fanout', 10_000, 'pipewright', 'memory', 100),
    row('spawn', 10_000, 'pipewright', 'memory', 250, 150),
  ];
  const verdicts = judgeTargets(rows, { rawJobsPerSecond: 2000, agents: [{ agents: 1, stepsPerSecond: 900 }, { agents: 2, stepsPerSecond: 1700 }] });
  const byId = new Map(verdicts.map((v) => [v.id, v]));

  it('judges each target on wall time from rows of the same run, with the CPU figure beside', () => {
    expect(byId.get('small-vs-p-graph')).toMatchObject({ wall: 0.75, cpu: 1.25, met: true });
    expect(byId.get('small-sqlite')).toMatchObject({ wall: 0.6, cpu: 0.3, met: false });
    expect(byId.get('100k-chain-vs-floor')).toMatchObject({ wall: 9, met: true });
    expect(byId.get('100k-chain-vs-p-graph')).toMatchObject({ wall: 0.72, met: true });
    expect(byId.get('100k-fanout-vs-floor')).toMatchObject({ wall: 12, met: false });
    expect(byId.get('100k-fanout-vs-p-graph')?.met).toBe(false);
    expect(byId.get('100k-chain-sqlite')).toMatchObject({ wall: 24, met: true });
    expect(byId.get('10k-spawn-vs-static')).toMatchObject({ wall: 2.5, cpu: 1.5, met: false });
    expect(byId.get('bullmq-2-agents')).toMatchObject({ wall: 0.85, cpu: null, met: true });
  });

  it('leaves a target whose rows the run did not measure unjudged, never guessed', () => {
    expect(byId.get('100k-lattice-vs-floor')).toMatchObject({ wall: null, met: null, detail: 'not measured in this run' });
    expect(judgeTargets(rows).find((v) => v.id === 'bullmq-2-agents')?.met).toBeNull();
  });

  it('prints one line per target with its verdict, and a count', () => {
    const text = formatTargets(verdicts);
    expect(text).toMatch(/5 of 9 measured met, 2 not measured/);
    expect(text).toMatch(/100k fanout: Pipewright memory ≤ 10× the floor\s+≤ 10\.00×\s+12\.00×\s+12\.00×\s+MISSED/);
    expect(text).toMatch(/2 BullMQ agents ≥ 80% of raw BullMQ jobs\/s\s+≥ 80%\s+85%\s+–\s+met/);
  });
});
