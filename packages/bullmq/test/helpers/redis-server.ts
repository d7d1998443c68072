import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A redis-server of the test's own, on a free loopback port, without persistence. */
export interface TestRedis {
  readonly port: number;
  readonly connection: { host: string; port: number };
  stop(): Promise<void>;
}

/**
 * Whether `redis-server` can run here. Under `CI=true` a missing server is an error, not a
 * reason to skip: CI must exercise the distributed executor.
 */
export const redisAvailable = (): boolean => {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI === 'true') throw new Error('redis-server is not installed, and CI=true requires the BullMQ tests to run.');
  return found;
};

/** `describe` when Redis can run, `describe.skip` otherwise (never under CI). */
export const describeWithRedis = (): jest.Describe => (redisAvailable() ? describe : describe.skip);

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

const waitForReady = (child: ChildProcess, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not start in time:\n${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with ${String(code)}:\n${output}`));
    });
  });

/** Starts a redis-server on a free loopback port; `stop()` ends it. */
export const startRedis = async (): Promise<TestRedis> => {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForReady(child, port);
  child.removeAllListeners('exit');
  return {
    port,
    connection: { host: '127.0.0.1', port },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};
