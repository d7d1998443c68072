import type { Executor, PipelineDefinition } from '@pipewright/core';
import { CliError } from './errors';
import { requireOptional } from './optional-package';
import { describeRedis, parseRedisAddress } from './redis-address';

/** Options that send a run's steps to agents. */
export interface RemoteOptions {
  /** Redis of the agents (`host:port` or `redis://…`); absent, steps run in this process. */
  readonly redis?: string;
  /** BullMQ key prefix; the agents must use the same. */
  readonly prefix?: string;
}

/** A way to build the executor of a run: `undefined` for the in-process default. */
export type ExecutorFactory = (() => Executor) | undefined;

/**
 * Reads `--redis` and `--prefix` without connecting (so that a bad address fails before a
 * store is opened) and returns what builds the run's `BullMQExecutor`, or `undefined` for
 * in-process runs. Throws `CliError` `BAD_OPTION`.
 */
export const remoteExecutor = (options: RemoteOptions): ExecutorFactory => {
  if (options.redis === undefined) {
    if (options.prefix !== undefined) throw new CliError('BAD_OPTION', '--prefix applies to runs on agents: give --redis <host:port> with it.');
    return undefined;
  }
  const connection = parseRedisAddress(options.redis);
  if (options.prefix !== undefined && options.prefix.trim() === '') throw new CliError('BAD_OPTION', '--prefix must not be empty.');
  return () => {
    // Required here rather than imported: in-process runs never load BullMQ and ioredis.
    const { BullMQExecutor } = requireOptional<typeof import('@pipewright/bullmq')>('@pipewright/bullmq', 'Running steps on agents', ', or run without --redis');
    return new BullMQExecutor({ connection, ...(options.prefix !== undefined ? { prefix: options.prefix } : {}) });
  };
};

/**
 * Refuses, before anything runs, a pipeline whose function steps (`addFunctionStep`) would go
 * to agents: a closure cannot leave this process. Throws `CliError` `NOT_REMOTE`.
 */
export const checkRemotable = (definition: PipelineDefinition, redis: string): void => {
  const local = [...definition.graph].filter((node) => node.body.kind === 'function').map((node) => node.name);
  if (local.length === 0) return;
  throw new CliError(
    'NOT_REMOTE',
    `Pipeline '${definition.name}' has function steps (${local.join(', ')}) that cannot run on agents at ${describeRedis(parseRedisAddress(redis))}: ` +
      'declare them as @Step methods of a @Pipeline class or as @Task templates, or run without --redis.',
  );
};
