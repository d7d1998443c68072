import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm run bench -- --distributed [--width n] [--concurrency n] [--rounds n]`: the BullMQ
 * throughput benchmark of `@pipewright/bullmq` (steps/s through 1 and 2 agent processes against
 * raw BullMQ jobs/s, on its own redis-server), run as a child process with these arguments.
 */
export const runDistributedBenchmark = (args: readonly string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, 'packages', 'bullmq', 'bench', 'distributed.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, stdio: 'inherit' },
    );
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
