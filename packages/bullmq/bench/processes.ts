/** The benchmark's worker processes: raw BullMQ workers or Pipewright agents (see worker.ts). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** What each worker process is told: the same concurrency and Redis for both kinds. */
export interface WorkerConfig {
  readonly mode: 'agent' | 'raw';
  readonly port: number;
  readonly concurrency: number;
  readonly queue: string;
}

/**
 * Starts one worker process; resolves once it serves its queue. `PW_BENCH_PROFILE=<dir>` runs it
 * under `node --cpu-prof` (the profile is written there when it exits).
 */
export const startWorker = (config: WorkerConfig): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const profile = process.env.PW_BENCH_PROFILE;
    const node = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
    const child = spawn(process.execPath, [...node, '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'worker.ts')], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), PW_BENCH: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`${config.mode} worker exited with ${String(code)}`)));
  });

/** SIGTERM, then waits for the exit (the worker closes its Worker or Agent first). */
export const stopWorker = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** `n` workers of one kind on one queue. */
export const startWorkers = (n: number, config: WorkerConfig): Promise<ChildProcess[]> =>
  Promise.all(Array.from({ length: n }, () => startWorker(config)));
