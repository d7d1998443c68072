/**
 * The two sides of the comparison, each measuring one round of `width` units of work on the
 * same Redis and the same number of worker processes at the same concurrency:
 *
 * - raw: what a user writes with BullMQ alone for the same work. One `Queue.addBulk` of `width`
 *   jobs (`removeOnComplete`, like Pipewright's), completion observed through one `QueueEvents`
 *   listener (BullMQ's documented way to wait for results in another process); workers return a
 *   value from the job's data, as the agents' task does.
 * - Pipewright: `engine.run` of a `width`-wide fan-out of one `@Task` (memory store), through
 *   `BullMQExecutor`; each step is a job that an agent process runs.
 */
import 'reflect-metadata';
import { definePipeline, Engine } from '@pipewright/core';
import { BullMQExecutor } from '@pipewright/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { readFileSync } from 'node:fs';
import { BenchNoop } from './tasks';

/** One kind of work, measured a round at a time. */
export interface Side {
  /** Runs `width` units of work; resolves with units per second. */
  round(): Promise<number>;
  close(): Promise<void>;
}

const perSecond = (width: number, started: number): number => width / ((performance.now() - started) / 1_000);

export const rawSide = async (port: number, queueName: string, width: number): Promise<Side> => {
  const connection = { host: '127.0.0.1', port };
  const queue = new Queue(queueName, { connection, prefix: 'pipewright', defaultJobOptions: { removeOnComplete: true } });
  // Read from the stream's current end, not from `$` at the first blocking read: that read can
  // come after the first jobs completed, and their events would be missed.
  const client = await queue.client;
  const lastEventId = (await client.xrevrange(`pipewright:${queueName}:events`, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
  const events = new QueueEvents(queueName, { connection, prefix: 'pipewright', lastEventId });
  await events.waitUntilReady();
  return {
    async round() {
      let done = 0;
      const finished = new Promise<void>((resolve) => {
        const onCompleted = (): void => {
          if (++done < width) return;
          events.off('completed', onCompleted);
          resolve();
        };
        events.on('completed', onCompleted);
      });
      const started = performance.now();
      await queue.addBulk(Array.from({ length: width }, (_, i) => ({ name: 'noop', data: { i } })));
      await finished;
      return perSecond(width, started);
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
};

export const pipewrightSide = async (port: number, queueName: string, width: number): Promise<Side> => {
  let builder = definePipeline({ name: 'bench-fan-out', version: '1.0.0' });
  for (let i = 0; i < width; i++) builder = builder.addStep(`n${i}`, BenchNoop, { queue: queueName, params: { i } });
  const pipeline = builder.build();
  const engine = new Engine({ executor: new BullMQExecutor({ connection: { host: '127.0.0.1', port } }) });
  return {
    async round() {
      const started = performance.now();
      const result = await engine.run(pipeline);
      if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error?.message ?? ''}`);
      return perSecond(width, started);
    },
    close: () => engine.close(),
  };
};

/** CPU seconds a process has used so far, from /proc (Linux); NaN elsewhere. */
const cpuOf = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
};

/** What one unit of work costs: Redis commands by name, CPU µs by process. */
export interface Costs {
  readonly commands: Record<string, number>;
  readonly cpuMicros: { readonly controller: number; readonly workers: number; readonly redis: number };
}

const redisCpu = async (admin: IORedis): Promise<number> => {
  const info = await admin.info('cpu');
  const read = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
};

/**
 * Redis commands and CPU time per unit of work over `rounds` rounds of `side`. Commands come from
 * `INFO commandstats` (reset first); commands that BullMQ's Lua scripts call are counted under
 * their own names too, so `evalsha` is the number of script calls and the rest include what those
 * scripts ran. CPU: this process (the controller), the worker processes `workers`, and Redis.
 */
export const costsPerUnit = async (port: number, side: Side, width: number, workers: readonly number[], rounds: number): Promise<Costs> => {
  const admin = new IORedis({ host: '127.0.0.1', port });
  const workersCpu = (): number => workers.reduce((sum, pid) => sum + cpuOf(pid), 0);
  try {
    await admin.config('RESETSTAT');
    const before = { controller: process.cpuUsage(), workers: workersCpu(), redis: await redisCpu(admin) };
    for (let round = 0; round < rounds; round++) await side.round();
    const controller = process.cpuUsage(before.controller);
    const units = width * rounds;
    const cpuMicros = {
      controller: (controller.user + controller.system) / units,
      workers: ((workersCpu() - before.workers) * 1e6) / units,
      redis: (((await redisCpu(admin)) - before.redis) * 1e6) / units,
    };
    const info = await admin.info('commandstats');
    const commands: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const [, name = '', calls = '0'] = match;
      if (!name.startsWith('config') && name !== 'info') commands[name] = Number(calls) / units;
    }
    return { commands, cpuMicros };
  } finally {
    admin.disconnect();
  }
};
