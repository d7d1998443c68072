/**
 * A benchmark worker process. `PW_BENCH = { mode: 'agent' | 'raw', port, concurrency, queue }`:
 * a Pipewright agent, or a bare BullMQ Worker with an empty processor (the baseline).
 * Prints `ready` once it serves its queue; exits on SIGTERM.
 */
import { Agent } from '@pipewright/bullmq';
import { Worker } from 'bullmq';

interface Config {
  mode: 'agent' | 'raw';
  port: number;
  concurrency: number;
  queue: string;
}

const config = JSON.parse(process.env.PW_BENCH ?? '{}') as Config;
const connection = { host: '127.0.0.1', port: config.port };

const start = async (): Promise<() => Promise<void>> => {
  if (config.mode === 'agent') {
    const agent = await Agent.start({ connection, queues: [config.queue], modules: ['packages/bullmq/bench/tasks.ts'], concurrency: config.concurrency });
    return () => agent.close();
  }
  const worker = new Worker(config.queue, async (job) => job.data.i as number, { connection, prefix: 'pipewright', concurrency: config.concurrency });
  await worker.waitUntilReady();
  return () => worker.close();
};

start().then(
  (close) => {
    process.stdout.write('ready\n');
    process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
