import { parseCliOptions } from '../src/cli-options';
import { promiseFloor } from '../src/engines/promise-floor';
import { BenchmarkError } from '../src/errors';
import { availableEngines, measureInChild, runBenchmarks, toJsonRow } from '../src/harness';
import { Probe } from '../src/probe';
import { buildWorkload, SHAPES } from '../src/workload';

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

  it('refuse fewer than 3 steps and unknown shapes', () => {
    expect(() => buildWorkload('chain', 2)).toThrow(RangeError);
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
    expect(codeOf(['--fast'])).toMatch(/^BAD_OPTION: .*--fast/);
  });
});

describe('the harness', () => {
  it('measures every available engine on every shape in child processes and reports well-formed rows', async () => {
    const engines = availableEngines();
    const rows = await runBenchmarks({ shapes: SHAPES, sizes: [100], engines, runs: 1, warmup: 0 });
    expect(rows).toHaveLength(SHAPES.length * engines.length);
    const edges = { chain: 99, fanout: 196, lattice: 2500 };
    for (const row of rows) {
      const json = toJsonRow(row);
      expect(Object.keys(json).sort()).toEqual(['edges', 'engine', 'medianMs', 'peakRssMb', 'runs', 'steps', 'store', 'usPerStep', 'workload']);
      expect(json).toMatchObject({ steps: 100, edges: edges[row.workload], runs: 1 });
      expect(['promise-floor', 'p-graph', 'pipewright']).toContain(json.engine);
      expect(['memory', 'sqlite', 'postgres']).toContain(json.store);
      expect(json.medianMs).toBeGreaterThan(0);
      expect(json.usPerStep).toBeCloseTo((json.medianMs * 1000) / 100, 1);
      expect(json.peakRssMb).toBeGreaterThan(0);
    }
    expect(new Set(rows.map((row) => `${row.engine}:${row.store}`))).toEqual(new Set(engines.map((e) => `${e.engine}:${e.store}`)));
  }, 120_000);

  it('passes on the error a child process reports instead of a figure', async () => {
    const spec = { engine: 'airflow', store: 'memory', shape: 'chain', steps: 100, runs: 1, warmup: 0 } as const;
    await rejectsWith(measureInChild(spec as never), 'BAD_OPTION', /airflow \(memory\) on chain of 100 steps: .*Unknown engine 'airflow'/s);
  }, 30_000);
});
