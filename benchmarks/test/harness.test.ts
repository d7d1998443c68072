import { parseCliOptions } from '../src/cli-options';
import { promiseFloor } from '../src/engines/promise-floor';
import { BenchmarkError } from '../src/errors';
import { availableEngines, measureInChild, runBenchmarks, toJsonRow } from '../src/harness';
import { Probe } from '../src/probe';
import { buildWorkload, SHAPES } from '../src/workload';
import type { Shape } from '../src/workload';

const rejectsWith = async (promise: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BenchmarkError);
  expect((error as BenchmarkError).code).toBe(code);
  expect((error as BenchmarkError).message).toMatch(message);
};

describe('workloads', () => {
  it('count the edges of each shape: chain n − 1, fan-out/fan-in 2(n − 2), lattice 50² per layer after the first', () => {
    expect(buildWorkload('chain', 1000).edges).toBe(999);
    expect(buildWorkload('fanout', 1000).edges).toBe(1996);
    expect(buildWorkload('lattice', 1000).edges).toBe(47_500);
  });

  it('expect each output to be one deeper than its deepest parent', () => {
    expect(Array.from(buildWorkload('fanout', 5).depth)).toEqual([1, 2, 2, 2, 3]);
    expect(buildWorkload('lattice', 120).depth[119]).toBe(3);
  });

  it('build the 10-step DAG as 1 → 4 branches of 2 → 1, and a spawn of n as n − 1 steps feeding the spawner', () => {
    const small = buildWorkload('small', 10);
    expect(small.edges).toBe(12);
    expect(Array.from(small.depth)).toEqual([1, 2, 2, 2, 2, 3, 3, 3, 3, 4]);
    expect(small.parents[9]).toEqual([5, 6, 7, 8]);
    const spawn = buildWorkload('spawn', 1000);
    expect(spawn.edges).toBe(999);
    expect(spawn.depth[0]).toBe(1);
    expect(spawn.depth[999]).toBe(2);
  });

  it('refuse fewer than 3 steps, a small workload of another size, and unknown shapes', () => {
    expect(() => buildWorkload('chain', 2)).toThrow(RangeError);
    expect(() => buildWorkload('small', 20)).toThrow(/The small workload has 10 steps, not 20/);
    expect(() => buildWorkload('star' as never, 10)).toThrow(/Unknown shape 'star'/);
  });
});

describe('the correctness check', () => {
  const workload = buildWorkload('lattice', 100);

  it('passes a run of the Promise floor', async () => {
    const probe = new Probe(workload);
    const outcome = await promiseFloor.prepare(workload, probe).run();
    expect(() => probe.verify((i) => outcome.outputOf(i))).not.toThrow();
  });

  it('fails a run in which a step ran twice', async () => {
    const probe = new Probe(workload);
    const outcome = await promiseFloor.prepare(workload, probe).run();
    probe.step(0, []);
    expect(() => probe.verify((i) => outcome.outputOf(i))).toThrow(/step s0 ran 2 times, not once/);
  });

  it('fails a run in which a parent output did not reach its child', () => {
    const chain = buildWorkload('chain', 3);
    const probe = new Probe(chain);
    const first = probe.step(0, []);
    probe.step(1, [first]);
    const last = probe.step(2, [undefined]);
    const outputs = [first, { i: 1, depth: 2 }, last];
    expect(() => probe.verify((i) => outputs[i])).toThrow(/1 parent outputs did not reach their child \(first: s1 → s2\)/);
  });

  it('checks a batch: every step once per run, and every run’s outputs', async () => {
    const probe = new Probe(workload);
    const prepared = promiseFloor.prepare(workload, probe, { longLived: true });
    const outcomes = [await prepared.run(), await prepared.run(), await prepared.run()];
    const outputsOf = outcomes.map((outcome) => (i: number) => outcome.outputOf(i));
    expect(() => probe.verifyAll(outputsOf)).not.toThrow();
    expect(() => probe.verifyAll(outputsOf.slice(1))).toThrow(/step s0 ran 3 times, not 2 \(once per run\)/);
    expect(() => probe.verifyAll([...outputsOf.slice(1), (i) => outcomes[0]?.outputOf(i === 5 ? 4 : i)])).toThrow(/step s5 ended with output/);
  });

  it('fails a run whose final outputs are not the steps’ own', async () => {
    const probe = new Probe(workload);
    const outcome = await promiseFloor.prepare(workload, probe).run();
    expect(() => probe.verify((i) => outcome.outputOf(i === 99 ? 98 : i))).toThrow(/step s99 ended with output \{"i":98,"depth":2\}/);
  });
});

describe('the command line', () => {
  it('filters workloads, sizes and engines', () => {
    const parsed = parseCliOptions(['--only', 'chain,lattice', '--sizes', '1000,10_000', '--engines', 'promise-floor,pipewright', '--runs', '3', '--json']);
    expect(parsed).not.toBe('help');
    if (parsed === 'help') return;
    expect(parsed.json).toBe(true);
    expect(parsed.bench).toMatchObject({ shapes: ['chain', 'lattice'], sizes: [1000, 10_000], runs: 3 });
    expect(parsed.bench.engines).toEqual([
      { engine: 'promise-floor', store: 'memory' },
      { engine: 'pipewright', store: 'memory' },
    ]);
  });

  it('takes the new workloads, the distributed measurement, a batch size and a targets file', () => {
    const parsed = parseCliOptions(['--only', 'small,spawn,distributed', '--batch', '500', '--targets-json', '/tmp/targets.json']);
    if (parsed === 'help') throw new Error('expected options');
    expect(parsed.bench).toMatchObject({ shapes: ['small', 'spawn'], smallBatch: 500 });
    expect(parsed).toMatchObject({ distributed: true, targetsJson: '/tmp/targets.json' });
    const only = parseCliOptions(['--only', 'chain']);
    expect(only !== 'help' && only.distributed).toBe(false);
  });

  it('leaves Postgres out of the default engines (it stays available by name)', () => {
    const parsed = parseCliOptions([]);
    if (parsed === 'help') throw new Error('expected options');
    expect(parsed.bench.engines.some((e) => e.store === 'postgres')).toBe(false);
    expect(parsed.bench.shapes).toEqual(['small', 'chain', 'fanout', 'spawn', 'lattice']);
  });

  it('runs a million-step chain once, sampling RSS, under --huge', () => {
    const parsed = parseCliOptions(['--huge']);
    if (parsed === 'help') throw new Error('expected options');
    expect(parsed.bench).toMatchObject({ shapes: ['chain'], sizes: [1_000_000], runs: 1, warmup: 0, sampleEvery: 100_000 });
  });

  it('rejects unknown workloads, engines, flags and bad numbers with BAD_OPTION', () => {
    const codeOf = (argv: string[]): string | undefined => {
      try {
        parseCliOptions(argv);
        return undefined;
      } catch (error) {
        return error instanceof BenchmarkError ? `${error.code}: ${error.message}` : String(error);
      }
    };
    expect(codeOf(['--only', 'star'])).toMatch(/^BAD_OPTION: Unknown workload 'star'/);
    expect(codeOf(['--engines', 'airflow'])).toMatch(/^BAD_OPTION: Unknown engine 'airflow'/);
    expect(codeOf(['--sizes', '1k'])).toMatch(/^BAD_OPTION: --sizes takes an integer ≥ 3, got '1k'/);
    expect(codeOf(['--runs', '0'])).toMatch(/^BAD_OPTION: --runs takes an integer ≥ 1/);
    expect(codeOf(['--batch', '0'])).toMatch(/^BAD_OPTION: --batch takes an integer ≥ 1/);
    expect(codeOf(['--fast'])).toMatch(/^BAD_OPTION: .*--fast/);
  });
});

const JSON_KEYS = ['batch', 'cpuMs', 'cpuUsPerStep', 'edges', 'engine', 'medianMs', 'peakRssMb', 'runs', 'steps', 'store', 'usPerStep', 'workload'];

describe('the harness', () => {
  it('measures every available engine on every shape in child processes and reports well-formed rows', async () => {
    const engines = availableEngines();
    const rows = await runBenchmarks({ shapes: SHAPES, sizes: [100], engines, runs: 1, warmup: 0 });
    expect(rows).toHaveLength(SHAPES.length * engines.length);
    const edges: Partial<Record<Shape, number>> = { chain: 99, fanout: 196, lattice: 2500 };
    for (const row of rows) {
      const json = toJsonRow(row);
      expect(Object.keys(json).sort()).toEqual(JSON_KEYS);
      expect(json).toMatchObject({ steps: 100, edges: edges[row.workload], runs: 1, batch: 1 });
      expect(['promise-floor', 'p-graph', 'pipewright']).toContain(json.engine);
      expect(['memory', 'sqlite', 'postgres']).toContain(json.store);
      expect(json.medianMs).toBeGreaterThan(0);
      expect(json.usPerStep).toBeCloseTo((json.medianMs * 1000) / 100, 1);
      expect(json.cpuMs).toBeGreaterThan(0);
      expect(json.cpuUsPerStep).toBeCloseTo((json.cpuMs * 1000) / 100, 1);
      expect(json.peakRssMb).toBeGreaterThan(0);
    }
    expect(new Set(rows.map((row) => `${row.engine}:${row.store}`))).toEqual(new Set(engines.map((e) => `${e.engine}:${e.store}`)));
  }, 300_000); // twelve fresh ts-node processes: minutes on a loaded machine

  it('runs the 10-step DAG in batches on a long-lived engine, and spawned fan-outs on Pipewright only', async () => {
    const engines = availableEngines().filter((choice) => choice.store !== 'postgres');
    const rows = await runBenchmarks({ shapes: ['small', 'spawn'], sizes: [200], engines, runs: 2, warmup: 1, smallBatch: 25 });
    const small = rows.filter((row) => row.workload === 'small');
    expect(small.map((row) => `${row.engine}:${row.store}`)).toEqual(engines.map((e) => `${e.engine}:${e.store}`));
    for (const row of small) expect(toJsonRow(row)).toMatchObject({ steps: 10, edges: 12, runs: 2, batch: 25 });
    const spawned = rows.filter((row) => row.workload === 'spawn');
    expect(spawned.map((row) => row.engine)).toEqual(engines.filter((e) => e.engine === 'pipewright').map(() => 'pipewright'));
    for (const row of spawned) expect(toJsonRow(row)).toMatchObject({ steps: 200, edges: 199, runs: 2, batch: 1 });
    for (const row of rows) expect(row.medianMs).toBeGreaterThan(0);
  }, 300_000);

  it('passes on the error a child process reports instead of a figure', async () => {
    const spec = { engine: 'airflow', store: 'memory', shape: 'chain', steps: 100, runs: 1, warmup: 0 } as const;
    await rejectsWith(measureInChild(spec as never), 'BAD_OPTION', /airflow \(memory\) on chain of 100 steps: .*Unknown engine 'airflow'/s);
  }, 30_000);

  it('refuses a spawn workload on an engine without ctx.spawn', async () => {
    const spec = { engine: 'p-graph', store: 'memory', shape: 'spawn', steps: 100, runs: 1, warmup: 0 } as const;
    await rejectsWith(measureInChild(spec), 'BAD_OPTION', /The spawn workload needs ctx.spawn; 'p-graph' has none/);
  }, 30_000);
});
