import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { EngineChoice, EngineName, StoreName } from './engines/engine-adapter';
import { loadSqliteStore } from './engines/pipewright';
import { loadPostgresStore } from './engines/pipewright-postgres';
import { BenchmarkError } from './errors';
import type { BenchmarkErrorCode } from './errors';
import { median } from './measurement';
import type { Measurement, MeasurementSpec, WorkerReply } from './measurement';
import type { RssSample } from './sampling-probe';
import { planMeasurements } from './plan';
import type { PlanOptions } from './plan';
import { WORKLOADS } from './workload';
import type { Shape } from './workload';

/** One line of `npm run bench -- --json`. */
export interface BenchRow {
  readonly workload: Shape;
  readonly steps: number;
  readonly edges: number;
  readonly engine: EngineName;
  readonly store: StoreName;
  readonly medianMs: number;
  readonly usPerStep: number;
  readonly peakRssMb: number;
  /** Measured runs (warm-ups excluded); for `small`, measured batches. */
  readonly runs: number;
  /** Median CPU time (user + system) of one run. */
  readonly cpuMs: number;
  readonly cpuUsPerStep: number;
  /** Runs per timed batch on one long-lived engine (`small`); 1 where each run has an engine of its own. */
  readonly batch: number;
}

/** A row with what the table shows besides the JSON fields. */
export interface MeasuredRow extends BenchRow {
  readonly baseRssMb: number;
  readonly samples: readonly RssSample[];
}

export type { EngineChoice } from './engines/engine-adapter';

/** What to measure. */
export interface BenchOptions extends PlanOptions {
  /** Told before each measurement starts (progress on stderr). */
  readonly onProgress?: (spec: MeasurementSpec) => void;
}

/** Every engine this checkout can run: the SQLite and Postgres rows join when their packages load (Postgres also needs a server, see pipewright-postgres.ts). */
export const availableEngines = (): EngineChoice[] => {
  const engines: EngineChoice[] = [
    { engine: 'promise-floor', store: 'memory' },
    { engine: 'p-graph', store: 'memory' },
    { engine: 'pipewright', store: 'memory' },
  ];
  if (loadSqliteStore() !== undefined) engines.push({ engine: 'pipewright', store: 'sqlite' });
  if (loadPostgresStore() !== undefined) engines.push({ engine: 'pipewright', store: 'postgres' });
  return engines;
};

/**
 * The default run: every workload, the sized ones at 1k, 10k and 100k steps, 5 measured runs
 * each, on every available engine but Postgres (a commit per chain step waits for the server's
 * WAL flush: minutes per 100k run; ask for it with `--engines`).
 */
export const defaultOptions = (): BenchOptions => ({
  shapes: WORKLOADS,
  sizes: [1_000, 10_000, 100_000],
  engines: availableEngines().filter((choice) => choice.store !== 'postgres'),
  runs: 5,
});

const CODES: ReadonlySet<string> = new Set<BenchmarkErrorCode>(['WRONG_RESULT', 'BAD_OPTION', 'ENGINE_UNAVAILABLE', 'WORKER_FAILED', 'DISTRIBUTED_FAILED']);
const isCode = (code: string): code is BenchmarkErrorCode => CODES.has(code);

const ROOT = resolve(__dirname, '..', '..');

/**
 * Runs one measurement in a fresh Node process (TypeScript through ts-node, `--expose-gc` so
 * runs start from a collected heap). Rejects with the worker's own error when its run computed
 * the wrong thing or failed.
 */
export const measureInChild = (spec: MeasurementSpec): Promise<Measurement> =>
  new Promise((resolvePromise, reject) => {
    const child = fork(join(__dirname, 'worker.ts'), [JSON.stringify(spec)], {
      execArgv: [
        '--expose-gc',
        '--max-old-space-size=8192',
        '--require',
        require.resolve('ts-node/register/transpile-only'),
        '--require',
        require.resolve('tsconfig-paths/register'),
      ],
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      // The worker's stdout must never mix with the JSON on ours.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    let reply: WorkerReply | undefined;
    child.on('message', (message) => (reply = message as WorkerReply));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const what = `${spec.engine} (${spec.store}) on ${spec.shape} of ${spec.steps} steps`;
      if (reply === undefined) reject(new BenchmarkError('WORKER_FAILED', `${what}: the worker exited (${signal ?? `code ${code}`}) without reporting.`));
      else if (!reply.ok) reject(new BenchmarkError(isCode(reply.code) ? reply.code : 'WORKER_FAILED', `${what}: ${reply.message}`));
      else resolvePromise(reply.measurement);
    });
  });

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Measures every planned engine × workload × size, one child process each, one after another. */
export const runBenchmarks = async (options: BenchOptions): Promise<MeasuredRow[]> => {
  const rows: MeasuredRow[] = [];
  for (const spec of planMeasurements(options)) {
    options.onProgress?.(spec);
    const measured = await measureInChild(spec);
    const medianMs = median(measured.timesMs);
    const cpuMs = median(measured.cpuMs);
    rows.push({
      workload: spec.shape,
      steps: spec.steps,
      edges: measured.edges,
      engine: spec.engine,
      store: spec.store,
      medianMs: round(medianMs, 4),
      usPerStep: round((medianMs * 1000) / spec.steps, 3),
      peakRssMb: round(measured.peakRssMb, 1),
      runs: measured.timesMs.length,
      cpuMs: round(cpuMs, 4),
      cpuUsPerStep: round((cpuMs * 1000) / spec.steps, 3),
      batch: spec.batch ?? 1,
      baseRssMb: round(measured.baseRssMb, 1),
      samples: measured.samples,
    });
  }
  return rows;
};

/** The row as `--json` prints it: exactly the public fields. */
export const toJsonRow = ({ workload, steps, edges, engine, store, medianMs, usPerStep, peakRssMb, runs, cpuMs, cpuUsPerStep, batch }: MeasuredRow): BenchRow => ({
  workload,
  steps,
  edges,
  engine,
  store,
  medianMs,
  usPerStep,
  peakRssMb,
  runs,
  cpuMs,
  cpuUsPerStep,
  batch,
});
