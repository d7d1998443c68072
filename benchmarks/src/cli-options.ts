import { parseArgs } from 'node:util';
import { BenchmarkError } from './errors';
import { availableEngines, defaultOptions } from './harness';
import type { BenchOptions, EngineChoice } from './harness';
import { redisServerOnPath } from './distributed';
import { SMALL_BATCH } from './plan';
import { WORKLOADS } from './workload';
import type { Shape } from './workload';

/** The command line, parsed. */
export interface CliOptions {
  readonly json: boolean;
  readonly huge: boolean;
  readonly bench: BenchOptions;
  /** Also measure BullMQ throughput (1 and 2 agents against raw BullMQ) for the targets. */
  readonly distributed: boolean;
  /** Where `--targets-json` writes the verdicts, if asked. */
  readonly targetsJson?: string;
}

/** `--only` also takes this: the BullMQ throughput measurement (`--distributed` on its own). */
export const DISTRIBUTED = 'distributed';

/** Steps of the `--huge` chain. */
export const HUGE_STEPS = 1_000_000;

export const USAGE = `Usage: npm run bench -- [options]
  --json               print one JSON array of rows instead of the table (targets go to stderr)
  --targets-json <f>   also write the targets and their verdicts to file f as JSON
  --only <workloads>   comma-separated: ${WORKLOADS.join(', ')}, ${DISTRIBUTED}
                       (default: all; ${DISTRIBUTED} only when redis-server is on $PATH)
  --sizes <list>       comma-separated step counts (default: 1000,10000,100000; not for small, 10 steps)
  --engines <list>     comma-separated: promise-floor, p-graph, pipewright, pipewright:sqlite, pipewright:postgres
                       (default: all available but postgres, which is slow at 100k; postgres on
                       $PIPEWRIGHT_BENCH_POSTGRES, default 127.0.0.1:5432)
  --runs <n>           measured runs (small: batches) per row (default: 5)
  --warmup <n>         discarded runs before measuring (default: 2, or 1 from 100000 steps)
  --batch <n>          runs per timed batch of the small workload, on one engine (default: ${SMALL_BATCH})
  --huge               run a ${HUGE_STEPS.toLocaleString('en-US')}-step chain (floor and Pipewright in memory), sampling RSS during the run
  --distributed        instead: steps/s through 1 and 2 BullMQ agents against raw BullMQ jobs/s
                       (own redis-server; takes --width, --concurrency, --rounds)
  --help               this text`;

const list = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);

const count = (name: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new BenchmarkError('BAD_OPTION', `--${name} takes an integer ≥ ${min}, got '${value}'.`);
  return n;
};

const parseEngine = (text: string): EngineChoice => {
  const [engine, store = 'memory'] = text.split(':') as [string, string | undefined];
  const known = availableEngines();
  const choice = known.find((k) => k.engine === engine && k.store === store);
  if (choice) return choice;
  if (engine === 'pipewright' && store === 'sqlite') {
    throw new BenchmarkError('ENGINE_UNAVAILABLE', 'pipewright:sqlite needs @pipewright/sqlite to export SqliteStore, which it does not yet.');
  }
  throw new BenchmarkError('BAD_OPTION', `Unknown engine '${text}'; expected one of ${known.map((k) => (k.store === 'memory' ? k.engine : `${k.engine}:${k.store}`)).join(', ')}.`);
};

/** Parses `npm run bench -- ...` arguments. Throws `BAD_OPTION` (or `ENGINE_UNAVAILABLE`). */
export const parseCliOptions = (argv: readonly string[]): CliOptions | 'help' => {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean', default: false },
        huge: { type: 'boolean', default: false },
        only: { type: 'string' },
        sizes: { type: 'string' },
        engines: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        batch: { type: 'string' },
        'targets-json': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchmarkError('BAD_OPTION', `${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) return 'help';
  const defaults = defaultOptions();
  const only = list(values.only);
  const shapes = only
    ?.filter((name) => name !== DISTRIBUTED)
    .map((shape) => {
      if (!(WORKLOADS as readonly string[]).includes(shape)) throw new BenchmarkError('BAD_OPTION', `Unknown workload '${shape}'; expected one of ${WORKLOADS.join(', ')}, ${DISTRIBUTED}.`);
      return shape as Shape;
    });
  const sizes = list(values.sizes)?.map((size) => count('sizes', size, 3) as number);
  const engines = list(values.engines)?.map(parseEngine);
  const runs = count('runs', values.runs, 1);
  const warmup = count('warmup', values.warmup, 0);
  const smallBatch = count('batch', values.batch, 1);
  const huge = values.huge === true;
  const distributed = !huge && (only === undefined ? redisServerOnPath() : only.includes(DISTRIBUTED));
  const bench: BenchOptions = {
    shapes: huge ? ['chain'] : (shapes ?? defaults.shapes),
    sizes: huge ? [HUGE_STEPS] : (sizes ?? defaults.sizes),
    engines: engines ?? (huge ? defaults.engines.filter((e) => e.store === 'memory' && e.engine !== 'p-graph') : defaults.engines),
    runs: runs ?? (huge ? 1 : defaults.runs),
    ...(warmup !== undefined ? { warmup } : huge ? { warmup: 0 } : {}),
    ...(huge ? { sampleEvery: HUGE_STEPS / 10 } : {}),
    ...(smallBatch !== undefined ? { smallBatch } : {}),
  };
  const targetsJson = values['targets-json'];
  return { json: values.json === true, huge, bench, distributed, ...(targetsJson !== undefined ? { targetsJson } : {}) };
};

