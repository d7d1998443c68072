/**
 * Distributed throughput: steps/s of a `width`-wide fan-out through 1 and 2 agent processes,
 * against raw BullMQ jobs/s for the same work (see sides.ts for what each side does), measured
 * in the same run:
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register packages/bullmq/bench/distributed.ts
 *     [--width 1000] [--concurrency 50] [--rounds 3] [--processes 1,2] [--costs] [--json]
 *
 * (with TS_NODE_PROJECT=tsconfig.json, from the repository root; or `npm run bench -- --distributed`).
 *
 * Fairness: one redis-server of its own (free loopback port) serves both sides; for each process
 * count, the raw workers and the agents are started together (an idle BullMQ worker only blocks in
 * Redis), each process with the same `concurrency`, and the rounds alternate raw, Pipewright, raw,
 * … after one unmeasured warm-up round of each, so a shared, busy machine disturbs both alike.
 * Each figure is the best of `rounds` (the least disturbed).
 *
 * `--costs` adds `rounds` more rounds of each side, measured for cost rather than speed: CPU µs per
 * job/step of the controller, the worker processes and Redis, and Redis commands per job/step
 * (`INFO commandstats`). CPU time is what a busy machine disturbs least.
 * `--json` prints, as the last line of stdout, `{"rawJobsPerSecond", "agents": [{"agents",
 * "stepsPerSecond"}]}` (raw: the best with 2 worker processes, or with the most measured).
 * `PW_BENCH_PROFILE=<dir>` runs the worker processes under `node --cpu-prof`.
 */
import 'reflect-metadata';
import { startRedis } from '../test/helpers/redis-server';
import { startWorkers, stopWorker } from './processes';
import { costsPerUnit, pipewrightSide, rawSide } from './sides';
import type { Costs, Side } from './sides';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};

const width = Number(arg('width', '1000'));
const concurrency = Number(arg('concurrency', '50'));
const rounds = Number(arg('rounds', '3'));
const processCounts = arg('processes', '1,2').split(',').map(Number);
const showCosts = process.argv.includes('--costs');
const json = process.argv.includes('--json');

interface Row {
  readonly processes: number;
  readonly raw: number;
  readonly ours: number;
  readonly costs?: { readonly raw: Costs; readonly ours: Costs };
}

/** Raw and Pipewright rounds, alternating; the best of each. */
const compare = async (raw: Side, ours: Side): Promise<{ raw: number; ours: number }> => {
  await raw.round();
  await ours.round();
  const best = { raw: 0, ours: 0 };
  for (let round = 0; round < rounds; round++) {
    best.raw = Math.max(best.raw, await raw.round());
    best.ours = Math.max(best.ours, await ours.round());
  }
  return best;
};

const measure = async (port: number, processes: number): Promise<Row> => {
  const rawQueue = `raw${processes}`;
  const agentQueue = `agents${processes}`;
  const kinds = await Promise.all([
    startWorkers(processes, { mode: 'raw', port, concurrency, queue: rawQueue }),
    startWorkers(processes, { mode: 'agent', port, concurrency, queue: agentQueue }),
  ]);
  const workers = kinds.flatMap((children, kind) => children.map((child) => ({ child, mode: kind === 0 ? 'raw' : 'agent' })));
  const raw = await rawSide(port, rawQueue, width);
  const ours = await pipewrightSide(port, agentQueue, width);
  try {
    const best = await compare(raw, ours);
    if (!showCosts) return { processes, ...best };
    const pids = (mode: string): number[] => workers.filter((worker) => worker.mode === mode).map((worker) => worker.child.pid ?? 0);
    const costs = { raw: await costsPerUnit(port, raw, width, pids('raw'), rounds), ours: await costsPerUnit(port, ours, width, pids('agent'), rounds) };
    return { processes, ...best, costs };
  } finally {
    await Promise.all([raw.close(), ours.close()]);
    await Promise.all(workers.map((worker) => stopWorker(worker.child)));
  }
};

const formatCosts = ({ commands, cpuMicros }: Costs): string => {
  const total = Object.values(commands).reduce((sum, n) => sum + n, 0);
  const top = Object.entries(commands)
    .filter(([, n]) => n >= 0.5)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${name} ${n.toFixed(1)}`);
  const cpu = `CPU µs: controller ${cpuMicros.controller.toFixed(0)}, workers ${cpuMicros.workers.toFixed(0)}, redis ${cpuMicros.redis.toFixed(0)}`;
  return `${cpu}; Redis commands ${total.toFixed(1)} (${top.join(', ')})`;
};

const report = (rows: readonly Row[]): void => {
  console.log(`${width}-wide fan-out, concurrency ${concurrency} per process, best of ${rounds} alternating rounds`);
  for (const row of rows) {
    console.log(`raw BullMQ, ${row.processes} worker process(es)`.padEnd(40) + `${row.raw.toFixed(0).padStart(7)} jobs/s`);
    console.log(`Pipewright, ${row.processes} agent process(es)`.padEnd(40) + `${row.ours.toFixed(0).padStart(7)} steps/s`);
    if (row.costs) {
      console.log(`  per raw job:         ${formatCosts(row.costs.raw)}`);
      console.log(`  per Pipewright step: ${formatCosts(row.costs.ours)}`);
    }
  }
  console.log(`Pipewright / raw: ${rows.map((row) => `${((row.ours / row.raw) * 100).toFixed(0)}% with ${row.processes}`).join(', ')}`);
  if (json) {
    const baseline = rows.find((row) => row.processes === 2) ?? rows[rows.length - 1];
    const agents = rows.map((row) => ({ agents: row.processes, stepsPerSecond: Math.round(row.ours) }));
    console.log(JSON.stringify({ rawJobsPerSecond: Math.round(baseline?.raw ?? NaN), agents }));
  }
};

const main = async (): Promise<void> => {
  const redis = await startRedis();
  const rows: Row[] = [];
  try {
    for (const processes of processCounts) rows.push(await measure(redis.port, processes));
  } finally {
    await redis.stop();
  }
  report(rows);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
