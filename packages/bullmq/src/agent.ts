import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { createStepContext, findUnserializable, StepError } from '@pipewright/core';
import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { container as rootContainer } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import { closeClient, DEFAULT_CONNECT_TIMEOUT_MS, describeConnection, openClient, whenReady } from './connection';
import type { RedisConnection } from './connection';
import { DistributedError } from './errors';
import { abortReason, AgentControl } from './agent-control';
import type { AbortReason } from './agent-control';
import { channelNames, checkQueueName, DEFAULT_PREFIX, parseStepRequest, toErrorInfo } from './protocol';
import type { JobResult } from './protocol';
import { RemoteStepChannel } from './remote-step-channel';
import type { ReplyBroker } from './remote-step-channel';
import { resolveWork } from './work-resolver';

/** Options of {@link Agent.start}. */
export interface AgentOptions {
  /** How to reach Redis. */
  readonly connection: RedisConnection;
  /** Queues this agent serves. */
  readonly queues: readonly string[];
  /**
   * Modules that declare the `@Pipeline` and `@Task` classes this agent runs, resolved from the
   * working directory and loaded once at start. Job payloads never name code: an agent runs
   * only what these modules registered.
   */
  readonly modules?: readonly string[];
  /** Steps run at once, per queue. Default 1. */
  readonly concurrency?: number;
  /**
   * How long a step this agent runs stays locked without renewal (the agent renews it every half
   * of this while alive). When an agent dies or hangs, its step's attempt is declared lost this
   * long after its last renewal (at most `stalledInterval` later): the attempt fails with
   * `AGENT_LOST` and the step's retry policy decides whether another agent runs it, however often
   * that happens. Shorter notices dead agents sooner; too short, and a busy event loop loses its
   * lock. BullMQ's default 30 000 ms.
   */
  readonly lockDuration?: number;
  /** How often this agent looks for steps whose agent stopped renewing its lock. BullMQ's default 30 000 ms. */
  readonly stalledInterval?: number;
  /** The agent's id in events and logs. Default `<host>:<pid>:<random>`. */
  readonly id?: string;
  /** BullMQ key prefix; the controller's executor must use the same. Default `'pipewright'`. */
  readonly prefix?: string;
  /** Container that resolves pipelines and tasks (each job gets a child). Default tsyringe's root. */
  readonly container?: DependencyContainer;
  /** How long `start` waits for Redis before it fails with `REDIS_UNAVAILABLE`. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
}

/**
 * Serves execution queues: takes step attempts from BullMQ and runs them with the pipelines and
 * tasks its modules registered.
 *
 * ```ts
 * const agent = await Agent.start({ connection, queues: ['gpu'], modules: ['./dist/pipelines.js'] });
 * await agent.close(); // lets running steps finish
 * ```
 */
export class Agent {
  private readonly workers: Worker[] = [];
  private readonly client: ReturnType<typeof openClient>;
  private readonly subscriber: ReturnType<typeof openClient>;
  private readonly names: ReturnType<typeof channelNames>;
  private readonly container: DependencyContainer;
  private readonly broker: ReplyBroker;
  private readonly control: AgentControl;
  private closing: Promise<void> | undefined;

  private constructor(
    /** This agent's id, as it appears in events (`agent`) and logs. */
    readonly id: string,
    private readonly options: AgentOptions,
  ) {
    this.names = channelNames(options.prefix ?? DEFAULT_PREFIX);
    this.container = options.container ?? rootContainer;
    this.client = openClient(options.connection);
    this.subscriber = openClient(options.connection);
    this.control = new AgentControl(this.names.abort);
    this.broker = {
      agent: id,
      client: this.client,
      names: this.names,
      awaitReply: (rid, signal) => this.control.awaitReply(rid, signal),
    };
  }

  /**
   * Loads `modules`, connects, and serves `queues`. Rejects with `MODULE_LOAD_FAILED`,
   * `INVALID_QUEUE`, `INVALID_OPTION` or `REDIS_UNAVAILABLE` (nothing is left running then).
   */
  static async start(options: AgentOptions): Promise<Agent> {
    const queues = [...new Set(options.queues)].map(checkQueueName);
    if (queues.length === 0) throw new DistributedError('INVALID_OPTION', 'An agent needs at least one queue to serve.');
    const concurrency = options.concurrency ?? 1;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new DistributedError('INVALID_OPTION', `concurrency must be an integer ≥ 1, got ${String(concurrency)}.`);
    for (const name of ['lockDuration', 'stalledInterval'] as const) {
      const value = options[name];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new DistributedError('INVALID_OPTION', `${name} must be a whole number of milliseconds ≥ 1, got ${String(value)}.`);
      }
    }
    for (const module of options.modules ?? []) {
      const path = resolvePath(process.cwd(), module);
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the agent loads the user's pipeline modules by path at run time
        require(path);
      } catch (error) {
        throw new DistributedError('MODULE_LOAD_FAILED', `Agent could not load module '${module}' (${path}): ${toErrorInfo(error).message}`, { cause: error });
      }
    }
    const agent = new Agent(options.id ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('base64url').slice(0, 6)}`, options);
    try {
      await agent.listen(queues, concurrency);
    } catch (error) {
      await agent.close();
      throw error;
    }
    return agent;
  }

  /** Stops taking jobs, lets running steps finish, then closes every connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.workers.map((worker) => worker.close()));
      await Promise.all([closeClient(this.subscriber), closeClient(this.client)]);
    })();
    return this.closing;
  }

  private async listen(queues: string[], concurrency: number): Promise<void> {
    const { connection, lockDuration, stalledInterval, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS } = this.options;
    const where = describeConnection(connection);
    await Promise.all([whenReady(this.client, connectTimeoutMs, where), whenReady(this.subscriber, connectTimeoutMs, where)]);
    this.subscriber.on('message', (channel: string, text: string) => this.control.onMessage(channel, text));
    await this.subscriber.subscribe(this.names.abort, this.names.agent(this.id));
    for (const queue of queues) {
      const worker = new Worker(queue, (job: Job) => this.process(job), {
        connection: { ...connection },
        prefix: this.options.prefix ?? DEFAULT_PREFIX,
        concurrency,
        name: this.id,
        ...(lockDuration !== undefined ? { lockDuration } : {}),
        ...(stalledInterval !== undefined ? { stalledInterval } : {}),
        autorun: false,
      });
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    for (const worker of this.workers) void worker.run().catch(() => undefined);
  }

  private async process(job: Job): Promise<JobResult> {
    const jobId = job.id ?? '';
    const step = typeof (job.data as { step?: unknown })?.step === 'string' ? (job.data as { step: string }).step : '(unknown)';
    // Registered before any abort mark is read: a notice published meanwhile is not missed.
    const abort = this.control.register(jobId, step);
    const channel = new RemoteStepChannel(job, step, this.broker, abort);
    try {
      // Only a job taken before (BullMQ re-queued it after a stall) can carry an abort mark that
      // this agent has not heard of: a first take costs no round trip.
      if (job.attemptsStarted !== 1 && !abort.aborted) {
        const mark = await this.client.get(this.names.abortKey(jobId));
        if (mark !== null) abort.abort(abortReason(JSON.parse(mark) as AbortReason, step));
      }
      const request = parseStepRequest(job.data);
      const work = resolveWork(request, this.container, this.id);
      abort.throwIfAborted();
      const output = await work(createStepContext(request, channel));
      const problem = findUnserializable(output);
      if (problem !== undefined) {
        throw new StepError(
          'NOT_SERIALIZABLE',
          request.step,
          `Step '${request.step}' returned an output that cannot travel from the agent: ${problem.path} ${problem.reason}. ` +
            'Outputs must be JSON-serializable; put large or binary data in artifacts (ctx.artifacts.put).',
        );
      }
      const sending = channel.flush();
      if (sending !== undefined) await sending;
      return { output, agent: this.id };
    } catch (error) {
      const info = toErrorInfo(error);
      await channel.send({ t: 'error', error: info });
      throw new Error(info.message);
    } finally {
      this.control.unregister(jobId);
    }
  }
}
