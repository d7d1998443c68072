import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { registry } from '@pipewright/core';
import type { Agent, AgentOptions } from '@pipewright/bullmq';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { loadModule } from '../load-pipelines';
import { requireOptional } from '../optional-package';
import { parsePositiveInteger } from '../positive-integer';
import { DEFAULT_REDIS, describeRedis, parseRedisAddress } from '../redis-address';
import type { Terminal } from './drive-run';

/** Options of `pipewright agent`, as commander hands them over. */
export interface AgentCommandOptions {
  /** Queues to serve (`--queue`, repeatable); `default` when none. */
  readonly queue?: readonly string[];
  /** Modules declaring the pipelines and tasks to run (`--module`, repeatable). */
  readonly module?: readonly string[];
  /** `host:port` or a `redis://` URL; {@link DEFAULT_REDIS} by default. */
  readonly redis?: string;
  readonly concurrency?: string;
  readonly prefix?: string;
  readonly id?: string;
  readonly lockDuration?: string;
  readonly stalledInterval?: string;
  readonly connectTimeout?: string;
}

/** Exit code when a second Ctrl-C abandons the steps still running. */
const FORCED_EXIT = 130;

/** Loads one `--module` (TypeScript through the CLI's loader); its absolute path. */
const loadAgentModule = (file: string): string => {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new CliError(
      'FILE_NOT_FOUND',
      `Module not found: ${file} (looked for ${path}). Give --module the .ts or .js file that declares the @Pipeline and @Task classes the agent runs.`,
    );
  }
  loadModule(file);
  return path;
};

/** `pipelines a@1.0.0, b@2.0.0; tasks square@1.0.0`: what the loaded modules registered. */
const describeRegistered = (): string => {
  const names = (kind: 'pipeline' | 'task'): string[] => registry.list(kind).map((entry) => `${entry.name}@${entry.version}`);
  const pipelines = names('pipeline');
  const tasks = names('task');
  if (pipelines.length === 0 && tasks.length === 0) return '';
  return [pipelines.length > 0 ? `pipelines ${pipelines.join(', ')}` : '', tasks.length > 0 ? `tasks ${tasks.join(', ')}` : ''].filter(Boolean).join('; ');
};

const optionalInteger = (value: string | undefined, option: string): number | undefined =>
  value === undefined ? undefined : parsePositiveInteger(value, option);

const nonEmpty = (value: string | undefined, option: string): string | undefined => {
  if (value !== undefined && value.trim() === '') throw new CliError('BAD_OPTION', `${option} must not be empty.`);
  return value;
};

/** Reads and checks the command line; loads nothing and connects nowhere. */
const agentOptions = (options: AgentCommandOptions): Omit<AgentOptions, 'modules'> => {
  const queues = options.queue !== undefined && options.queue.length > 0 ? [...new Set(options.queue)] : ['default'];
  const connection = parseRedisAddress(options.redis ?? DEFAULT_REDIS);
  const settings = {
    concurrency: optionalInteger(options.concurrency, '--concurrency'),
    lockDuration: optionalInteger(options.lockDuration, '--lock-duration'),
    stalledInterval: optionalInteger(options.stalledInterval, '--stalled-interval'),
    connectTimeoutMs: optionalInteger(options.connectTimeout, '--connect-timeout'),
    id: nonEmpty(options.id, '--id'),
    prefix: nonEmpty(options.prefix, '--prefix'),
  };
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  return { connection, queues, ...defined };
};

/**
 * Resolves once the agent has closed after SIGINT or SIGTERM (running steps finish first).
 * A second signal quits at once with 130: the steps it abandons go back to their queue when
 * their BullMQ lock expires.
 */
const serveUntilSignalled = (agent: Agent, terminal: Terminal): Promise<ExitCodeValue> =>
  new Promise((resolveExit) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        terminal.stderr.write(`agent ${agent.id} quit at once; the steps it was running go back to their queue when their lock expires.\n`);
        process.exit(FORCED_EXIT);
      }
      terminal.stdout.write(`agent ${agent.id} stopping on ${signal}: running steps finish first (press Ctrl-C again to quit at once)\n`);
      agent.close().then(
        () => {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          terminal.stdout.write(`agent ${agent.id} stopped\n`);
          resolveExit(ExitCode.Success);
        },
        (error: unknown) => {
          terminal.stderr.write(`agent ${agent.id} did not close cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
          resolveExit(ExitCode.Failed);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

/**
 * `pipewright agent`: loads the modules, serves the queues on Redis until SIGINT or SIGTERM,
 * then closes, letting running steps finish. Throws `CliError` for bad options or modules, and
 * `DistributedError` `REDIS_UNAVAILABLE` when Redis cannot be reached (both exit 2).
 */
export const agentCommand = async (options: AgentCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const settings = agentOptions(options);
  const modules = options.module ?? [];
  if (modules.length === 0) {
    throw new CliError('BAD_OPTION', 'An agent runs only the pipelines and tasks of its modules: give at least one --module <file.ts|file.js>.');
  }
  const paths = modules.map(loadAgentModule);
  const registered = describeRegistered();
  if (registered === '') {
    throw new CliError('NO_PIPELINE', `${modules.join(', ')} ${modules.length === 1 ? 'declares' : 'declare'} no @Pipeline or @Task class: give --module the files that declare what the agent runs.`);
  }
  // Required here rather than imported: the other commands never load BullMQ and ioredis.
  const { Agent: AgentClass } = requireOptional<typeof import('@pipewright/bullmq')>('@pipewright/bullmq', 'pipewright agent', '');
  const agent = await AgentClass.start({ ...settings, modules: paths });
  terminal.stdout.write(
    `agent ${agent.id} serving ${settings.queues.join(', ')} on ${describeRedis(settings.connection)} with modules ${modules.join(', ')} (${registered})\n`,
  );
  return serveUntilSignalled(agent, terminal);
};
