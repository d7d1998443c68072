import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

/** Spawns TypeScript fixtures of `fixturesDir` in real child processes, through ts-node. */
export const fixtureSpawner =
  (fixturesDir: string) =>
  (fixture: string, args: readonly string[], env: Record<string, string> = {}): ChildProcess =>
    spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(fixturesDir, fixture), ...args], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

/** Resolves with the child's exit code (or signal) and everything it printed. */
export const outcomeOf = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> =>
  new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });

/**
 * Polls every 10 ms until `file` exists. Rejects when the child exits first (with what it
 * printed) or after `timeoutMs`, so a broken fixture fails the test instead of hanging it.
 */
export const waitForFile = (file: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> =>
  new Promise((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    const timer = setInterval(() => {
      if (existsSync(file)) {
        clearInterval(timer);
        resolvePromise();
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        reject(new Error(`the child exited (${child.exitCode ?? child.signalCode}) before writing ${file}:\n${stderr}`));
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`no ${file} after ${timeoutMs} ms:\n${stderr}`));
      }
    }, 10);
  });
