import type { Executor, StepChannel, StepRequest } from '@pipewright/core';
import { closeClient, DEFAULT_CONNECT_TIMEOUT_MS, describeConnection, openClient, whenReady } from './connection';
import type { RedisConnection } from './connection';
import { DistributedError } from './errors';
import { checkQueueName, DEFAULT_PREFIX } from './protocol';
import { QueueLink } from './queue-link';

/** Options of {@link BullMQExecutor}. */
export interface BullMQExecutorOptions {
  /** How to reach Redis. */
  readonly connection: RedisConnection;
  /** BullMQ key prefix; agents must use the same. Default `'pipewright'`. */
  readonly prefix?: string;
  /**
   * After this long in a queue that no agent serves, a step emits a `step.waiting` event naming
   * the queue. Default 10 000 ms.
   */
  readonly waitingWarningMs?: number;
  /** How long a step waits for Redis before it fails with `REDIS_UNAVAILABLE`. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
}

const positive = (value: number | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new DistributedError('INVALID_OPTION', `${name} must be a positive number of milliseconds, got ${String(value)}.`);
  return value;
};

/**
 * Runs each step attempt on an agent: the attempt's `StepRequest` becomes a BullMQ job in the
 * queue named by the step's `queue` option. The controller keeps the DAG, the store and
 * `events$`; agents send logs, metrics and artifacts back while the step runs.
 *
 * ```ts
 * const engine = new Engine({ executor: new BullMQExecutor({ connection: { host: '127.0.0.1', port: 6379 } }) });
 * ```
 */
export class BullMQExecutor implements Executor {
  /** Steps become `running` when an agent takes them: `step.started` carries the agent's id. */
  readonly reportsStart = true;
  private readonly connection: RedisConnection;
  private readonly prefix: string;
  private readonly waitingWarningMs: number;
  private readonly connectTimeoutMs: number;
  private readonly where: string;
  private readonly client: ReturnType<typeof openClient>;
  private readonly links = new Map<string, Promise<QueueLink>>();
  /** The links already open, for a step to reach without waiting a turn. */
  private readonly open = new Map<string, QueueLink>();
  /** One wait for Redis shared by every step that arrives while the client connects. */
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(options: BullMQExecutorOptions) {
    this.connection = options.connection;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.waitingWarningMs = positive(options.waitingWarningMs, 10_000, 'waitingWarningMs');
    this.connectTimeoutMs = positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    this.where = describeConnection(this.connection);
    this.client = openClient(this.connection);
  }

  /**
   * Not `async`: with the queue's link open (every step after a queue's first), the attempt's
   * promise is the link's own, not one more promise per step that adopts it a few ticks later.
   * A synchronous throw still comes back as a rejection.
   */
  execute(request: StepRequest, channel: StepChannel): Promise<unknown> {
    try {
      this.checkOpen(request);
      if (channel.local?.node.body.kind === 'function') {
        throw new DistributedError(
          'FUNCTION_STEP_NOT_REMOTE',
          `Step '${request.step}' of pipeline '${request.pipeline.name}' is a function step (addFunctionStep): a closure cannot run on an agent. ` +
            'Declare it as a @Step method of a @Pipeline class or as a @Task template, or run it with the in-process executor.',
        );
      }
      const queue = checkQueueName(request.queue);
      channel.signal.throwIfAborted();
      const open = this.client.status === 'ready' ? this.open.get(queue) : undefined;
      return open !== undefined ? open.submit(request, channel) : this.submitOnceOpen(queue, request, channel);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The first step of a queue, or one that arrives while Redis is away: waits for the link. */
  private async submitOnceOpen(queue: string, request: StepRequest, channel: StepChannel): Promise<unknown> {
    await this.ready();
    // Closed while this step waited for Redis: the link it would open now would never be closed.
    this.checkOpen(request);
    const link = await this.link(queue);
    channel.signal.throwIfAborted();
    return link.submit(request, channel);
  }

  private checkOpen(request: StepRequest): void {
    if (this.closed) throw new DistributedError('EXECUTOR_CLOSED', `The BullMQ executor is closed; step '${request.step}' was not sent.`);
  }

  /** Rejects attempts still in flight with `EXECUTOR_CLOSED`, then closes queues and connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const reason = new DistributedError('EXECUTOR_CLOSED', 'The BullMQ executor was closed while the step was in flight.');
    const links = await Promise.allSettled([...this.links.values()]);
    await Promise.all(links.map((link) => (link.status === 'fulfilled' ? link.value.close(reason) : undefined)));
    await closeClient(this.client);
  }

  private ready(): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    this.connecting ??= whenReady(this.client, this.connectTimeoutMs, this.where).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private link(queue: string): Promise<QueueLink> {
    let link = this.links.get(queue);
    if (link === undefined) {
      link = QueueLink.open({ queue, connection: this.connection, prefix: this.prefix, waitingWarningMs: this.waitingWarningMs, client: this.client });
      // A failed open (Redis went away) is not cached: the next step tries again.
      link.then(
        (opened) => this.open.set(queue, opened),
        () => this.links.delete(queue),
      );
      this.links.set(queue, link);
    }
    return link;
  }
}
