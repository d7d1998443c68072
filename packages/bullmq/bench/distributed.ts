/**
 * Distributed throughput: steps/s of a 1 000-wide fan-out through 1 and 2 agent processes,
 * against raw BullMQ jobs/s (same Redis, same worker processes and concurrency, empty
 * processor) measured in the same run.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register packages/bullmq/bench/distributed.ts [--width 1000] [--concurrency 50] [--rounds 3] [--json]
 *
 * (with TS_NODE_PROJECT=tsconfig.json, from the repository root). Starts its own redis-server
 * on a free loopback port. Not part of the test suite.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { definePipeline, Engine } from '@pipewright/core';
import { BullMQExecutor } from '@pipewright/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { startRedis } from '../test/helpers/redis-server';
import { BenchNoop } from './tasks';

const ROOT = join(__dirname, '..', '..', '..');

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};

const width = arg('width', 1_000);
const concurrency = arg('concurrency', 50);
const rounds = arg('rounds', 3);

const startWorker = (mode: 'agent' | 'raw', port: number, queue: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'worker.ts')], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), PW_BENCH: JSON.stringify({ mode, port, concurrency, queue }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`${mode} worker exited with ${String(code)}`)));
  });

const stopWorker = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** Best of `rounds`: the machine is shared, the best round is the least disturbed. */
const best = async (measure: () => Promise<number>): Promise<number> => {
  let top = 0;
  for (let round = 0; round < rounds; round++) top = Math.max(top, await measure());
  return top;
};

const rawJobsPerSecond = async (port: number, queueName: string): Promise<number> => {
  const connection = { host: '127.0.0.1', port };
  const queue = new Queue(queueName, { connection, prefix: 'pipewright', defaultJobOptions: { removeOnComplete: true } });
  const events = new QueueEvents(queueName, { connection, prefix: 'pipewright' });
  await events.waitUntilReady();
  try {
    return await best(async () => {
      let done = 0;
      const finished = new Promise<void>((resolve) => {
        const onCompleted = (): void => {
          if (++done === width) {
            events.off('completed', onCompleted);
            resolve();
          }
        };
        events.on('completed', onCompleted);
      });
      const started = performance.now();
      await queue.addBulk(Array.from({ length: width }, (_, i) => ({ name: 'noop', data: { i } })));
      await finished;
      return width / ((performance.now() - started) / 1_000);
    });
  } finally {
    await events.close();
    await queue.close();
  }
};

const pipewrightStepsPerSecond = async (port: number, queueName: string): Promise<number> => {
  let builder = definePipeline({ name: 'bench-fan-out', version: '1.0.0' });
  for (let i = 0; i < width; i++) builder = builder.addStep(`n${i}`, BenchNoop, { queue: queueName, params: { i } });
  const pipeline = builder.build();
  const engine = new Engine({ executor: new BullMQExecutor({ connection: { host: '127.0.0.1', port } }) });
  try {
    return await best(async () => {
      const started = performance.now();
      const result = await engine.run(pipeline);
      if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error?.message ?? ''}`);
      return width / ((performance.now() - started) / 1_000);
    });
  } finally {
    await engine.close();
  }
};

const main = async (): Promise<void> => {
  const redis = await startRedis();
  const rows: Array<[string, number]> = [];
  try {
    for (const processes of [1, 2]) {
      const rawQueue = `raw${processes}`;
      const raw = await Promise.all(Array.from({ length: processes }, () => startWorker('raw', redis.port, rawQueue)));
      rows.push([`raw BullMQ, ${processes} worker process(es)`, await rawJobsPerSecond(redis.port, rawQueue)]);
      await Promise.all(raw.map(stopWorker));

      const agentQueue = `agents${processes}`;
      const agents = await Promise.all(Array.from({ length: processes }, () => startWorker('agent', redis.port, agentQueue)));
      rows.push([`Pipewright, ${processes} agent process(es)`, await pipewrightStepsPerSecond(redis.port, agentQueue)]);
      await Promise.all(agents.map(stopWorker));
    }
  } finally {
    await redis.stop();
  }
  console.log(`${width}-wide fan-out, concurrency ${concurrency} per process, best of ${rounds}`);
  for (const [label, perSecond] of rows) console.log(`${label.padEnd(40)} ${perSecond.toFixed(0).padStart(7)} /s`);
  const ratio = (agents: number): string => {
    const raw = rows.find(([label]) => label.startsWith(`raw BullMQ, ${agents}`))?.[1] ?? NaN;
    const ours = rows.find(([label]) => label.startsWith(`Pipewright, ${agents}`))?.[1] ?? NaN;
    return `${((ours / raw) * 100).toFixed(0)}%`;
  };
  console.log(`Pipewright / raw: ${ratio(1)} with 1 process, ${ratio(2)} with 2`);
  if (process.argv.includes('--json')) {
    // Last stdout line, read by `npm run bench`: raw jobs/s with 2 worker processes, the baseline of the 2-agent target.
    const perSecond = (prefix: string): number => rows.find(([label]) => label.startsWith(prefix))?.[1] ?? NaN;
    const agents = [1, 2].map((n) => ({ agents: n, stepsPerSecond: perSecond(`Pipewright, ${n} `) }));
    console.log(JSON.stringify({ rawJobsPerSecond: perSecond('raw BullMQ, 2 '), agents }));
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
