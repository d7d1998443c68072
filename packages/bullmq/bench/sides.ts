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
  const events = new QueueEvents(queueName, { connection, prefix: 'pipewright' });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
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

/**
 * Redis commands per unit of work in one round of `side`, by command, from `INFO commandstats`
 * (reset first). Commands that BullMQ's Lua scripts call are counted under their own names too,
 * so `evalsha` is the number of script calls and the rest include what those scripts ran.
 */
export const commandsPerUnit = async (port: number, side: Side, width: number): Promise<Record<string, number>> => {
  const admin = new IORedis({ host: '127.0.0.1', port });
  try {
    await admin.config('RESETSTAT');
    await side.round();
    const info = await admin.info('commandstats');
    const counts: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const [, name = '', calls = '0'] = match;
      if (!name.startsWith('config') && name !== 'info') counts[name] = Number(calls) / width;
    }
    return counts;
  } finally {
    admin.disconnect();
  }
};
