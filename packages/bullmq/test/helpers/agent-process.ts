import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SCRIPT = join(__dirname, '..', 'fixtures', 'agent.ts');

/** What the fixture agent script is told to do. */
export interface AgentProcessConfig {
  readonly port: number;
  readonly id: string;
  readonly queues: readonly string[];
  readonly concurrency?: number;
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
}

/** A real agent in a child process, running test/fixtures/agent.ts through ts-node. */
export interface AgentProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** SIGTERM: the agent closes, letting running steps finish. */
  stop(): Promise<void>;
  /** SIGKILL: the agent dies mid-step. */
  kill(): Promise<void>;
  output(): string;
}

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** Spawns an agent and resolves once it serves its queues. */
export const startAgentProcess = (config: AgentProcessConfig): Promise<AgentProcess> => {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), PW_AGENT: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const handle: AgentProcess = {
    id: config.id,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent ${config.id} did not start:\n${output}`));
    }, 90_000); // ts-node compiles the agent at start: slow on a loaded machine
    const onData = (): void => {
      if (!output.includes(`ready ${config.id}`)) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve(handle);
    };
    const onExit = (): void => {
      clearTimeout(timer);
      reject(new Error(`agent ${config.id} exited before it was ready:\n${output}`));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
};
