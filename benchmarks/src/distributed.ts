import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BenchmarkError } from './errors';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'packages', 'bullmq', 'bench', 'distributed.ts');

/** What `packages/bullmq/bench/distributed.ts --json` prints as its last stdout line. */
export interface DistributedReport {
  /** Raw BullMQ jobs/s (empty processor, same Redis, worker processes and concurrency). */
  readonly rawJobsPerSecond: number;
  /** Steps/s of the same fan-out through 1 and 2 Pipewright agent processes. */
  readonly agents: readonly { readonly agents: number; readonly stepsPerSecond: number }[];
}

/** True when `redis-server` is an executable on $PATH: the default run then measures BullMQ throughput too. */
export const redisServerOnPath = (path = process.env.PATH ?? ''): boolean =>
  path.split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, 'redis-server'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/**
 * The report on the last non-empty line of the script's stdout. Throws `DISTRIBUTED_FAILED` when
 * there is none, it is not JSON, or it lacks a figure (raw jobs/s, and steps/s for 1 and 2 agents).
 */
export const parseDistributedReport = (stdout: string): DistributedReport => {
  const last = stdout.trimEnd().split('\n').pop()?.trim() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new BenchmarkError('DISTRIBUTED_FAILED', `packages/bullmq/bench/distributed.ts --json printed no JSON report on its last line (got '${last.slice(0, 200)}').`);
  }
  const report = parsed as Partial<DistributedReport> | null;
  const agents = Array.isArray(report?.agents) ? report.agents : [];
  const valid =
    isPositive(report?.rawJobsPerSecond) &&
    [1, 2].every((n) => agents.some((row) => row !== null && typeof row === 'object' && row.agents === n && isPositive(row.stepsPerSecond)));
  if (!valid) throw new BenchmarkError('DISTRIBUTED_FAILED', `The distributed report lacks rawJobsPerSecond or stepsPerSecond for 1 and 2 agents: ${last.slice(0, 300)}`);
  return report as DistributedReport;
};

const runScript = (args: readonly string[], stdout: 'inherit' | 'pipe') =>
  spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', SCRIPT, ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', stdout, 'inherit'],
  });

/**
 * `npm run bench -- --distributed [--width n] [--concurrency n] [--rounds n]`: the BullMQ
 * throughput benchmark of `@pipewright/bullmq` (steps/s through 1 and 2 agent processes against
 * raw BullMQ jobs/s, on its own redis-server), run as a child process with these arguments.
 */
export const runDistributedBenchmark = (args: readonly string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = runScript(args, 'inherit');
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });

/**
 * The same benchmark with `--json`, as part of the full run: its human-readable lines go to our
 * stderr (our stdout may be `--json`), its last line is parsed. Rejects with `DISTRIBUTED_FAILED`.
 */
export const measureDistributed = (args: readonly string[] = []): Promise<DistributedReport> =>
  new Promise((resolve, reject) => {
    const child = runScript([...args, '--json'], 'pipe');
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stderr.write(chunk);
    });
    child.once('error', (error) => reject(new BenchmarkError('DISTRIBUTED_FAILED', `Could not start ${SCRIPT}: ${error.message}`)));
    child.once('close', (code) => {
      if (code !== 0) reject(new BenchmarkError('DISTRIBUTED_FAILED', `packages/bullmq/bench/distributed.ts exited with code ${String(code)}.`));
      else {
        try {
          resolve(parseDistributedReport(out));
        } catch (error) {
          reject(error as Error);
        }
      }
    });
  });
