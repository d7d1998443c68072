import { registry } from '@pipewright/core';
import type { StepChannel, StepRequest } from '@pipewright/core';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './connection';
import { DistributedError, RemoteStepError } from './errors';
import { ABORT_MARK_TTL_S, BLOB_TTL_S, channelNames, toErrorInfo } from './protocol';
import type { AbortNotice, AgentMessage, ControllerReply, JobResult } from './protocol';

/** One attempt sent to the queue and not yet settled. */
interface PendingJob {
  readonly id: string;
  readonly request: StepRequest;
  readonly channel: StepChannel;
  readonly queuedAt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  added: Promise<unknown>;
  started: boolean;
  warned: boolean;
  agent: string | undefined;
  error: AgentMessage & { t: 'error' } | undefined;
  detach: () => void;
}

/** What a link needs from its executor. */
export interface QueueLinkOptions {
  readonly queue: string;
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly waitingWarningMs: number;
  /** The executor's command client: blobs, abort marks, replies. */
  readonly client: Redis;
}

/**
 * The controller's side of one queue: a BullMQ `Queue` to add jobs, a `QueueEvents` reader for
 * their progress and completion, and the attempts in flight.
 */
export class QueueLink {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly jobs = new Map<string, PendingJob>();
  /**
   * Jobs by the signal that aborts them, with one listener per signal: a run's steps share its
   * signal, and a listener per job would pile 1 000 listeners onto it in a 1 000-wide fan-out.
   */
  private readonly bySignal = new Map<AbortSignal, { readonly jobs: Set<string>; readonly onAbort: () => void }>();
  private readonly names: ReturnType<typeof channelNames>;
  private waitingTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: QueueLinkOptions,
    lastEventId: string,
  ) {
    const { queue, connection, prefix } = options;
    this.names = channelNames(prefix);
    // Job ids are ours; BullMQ keeps failed jobs for inspection, finished ones are dropped
    // (the events stream carries their return values).
    this.queue = new Queue(queue, {
      connection: { ...connection },
      prefix,
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 1_000 } },
      streams: { events: { maxLen: 100_000 } },
    });
    this.queue.on('error', () => undefined);
    this.events = new QueueEvents(queue, { connection: { ...connection }, prefix, lastEventId });
    this.events.on('error', () => undefined);
    this.events.on('progress', ({ jobId, data }) => this.onMessage(jobId, data as AgentMessage));
    this.events.on('active', ({ jobId }) => {
      const job = this.jobs.get(jobId);
      if (job) job.started = true;
    });
    this.events.on('stalled', ({ jobId }) => {
      const job = this.jobs.get(jobId);
      if (!job) return;
      const lost = `agent ${job.agent ?? '(unknown)'} stopped renewing its lock on step '${job.request.step}'`;
      job.channel.log(`[stalled] ${lost}; the attempt fails and the step's retry policy decides whether another agent runs it.`, job.agent);
      // A lost agent is a failed attempt, retried like any other (not BullMQ's re-run, then JOB_FAILED).
      void this.abort(jobId, new DistributedError('AGENT_LOST', `The ${lost} in queue '${queue}' (it died or hung).`), true);
    });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const job = this.settle(jobId);
      job?.resolve((returnvalue as unknown as JobResult | null)?.output);
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      const job = this.settle(jobId);
      if (!job) return;
      if (job.error) job.reject(new RemoteStepError(job.error.error, job.error.agent));
      else job.reject(new DistributedError('JOB_FAILED', `BullMQ failed the job of step '${job.request.step}' in queue '${queue}': ${failedReason}`));
    });
  }

  /**
   * Opens a link that reads the events stream from its current end, so no event of a job added
   * afterwards can be missed, however late the reader's first blocking read is.
   */
  static async open(options: QueueLinkOptions): Promise<QueueLink> {
    const key = `${options.prefix}:${options.queue}:events`;
    const last = (await options.client.xrevrange(key, '+', '-', 'COUNT', 1))[0];
    const link = new QueueLink(options, last?.[0] ?? '0-0');
    await Promise.all([link.queue.waitUntilReady(), link.events.waitUntilReady()]);
    return link;
  }

  /** Adds the attempt as a job; settles with its output or error. */
  submit(request: StepRequest, channel: StepChannel): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = `pw-${randomUUID()}`;
      const job: PendingJob = {
        id,
        request,
        channel,
        queuedAt: Date.now(),
        resolve,
        reject,
        added: Promise.resolve(),
        started: false,
        warned: false,
        agent: undefined,
        error: undefined,
        detach: () => this.unwatchAbort(channel.signal, id),
      };
      this.jobs.set(id, job);
      this.watchAbort(channel.signal, id);
      job.added = this.queue.add(request.step, request, { jobId: id }).catch((error: unknown) => {
        const settled = this.settle(id);
        settled?.reject(new DistributedError('REDIS_UNAVAILABLE', `Could not add step '${request.step}' to queue '${this.options.queue}': ${toErrorInfo(error).message}`, { cause: error }));
      });
      this.watchWaiting();
    });
  }

  /** Rejects what is still in flight and closes the queue and its events reader. */
  async close(reason: Error): Promise<void> {
    if (this.waitingTimer) clearInterval(this.waitingTimer);
    for (const id of [...this.jobs.keys()]) this.settle(id)?.reject(reason);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  private settle(id: string): PendingJob | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    this.jobs.delete(id);
    job.detach();
    if (this.jobs.size === 0 && this.waitingTimer) {
      clearInterval(this.waitingTimer);
      this.waitingTimer = undefined;
    }
    return job;
  }

  private watchAbort(signal: AbortSignal, id: string): void {
    let watched = this.bySignal.get(signal);
    if (watched === undefined) {
      const jobs = new Set<string>();
      const onAbort = (): void => {
        this.bySignal.delete(signal);
        for (const job of [...jobs]) void this.abort(job, signal.reason);
      };
      watched = { jobs, onAbort };
      this.bySignal.set(signal, watched);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watched.jobs.add(id);
  }

  private unwatchAbort(signal: AbortSignal, id: string): void {
    const watched = this.bySignal.get(signal);
    if (watched === undefined) return;
    watched.jobs.delete(id);
    if (watched.jobs.size > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener('abort', watched.onAbort);
  }

  /**
   * Removes a job that waits; tells the agents to abort one that runs. `markFirst` (a stalled job,
   * which BullMQ re-queues at once) marks it before the removal, so an agent taking it drops it.
   */
  private async abort(id: string, reason: unknown, markFirst = false): Promise<void> {
    const job = this.settle(id);
    if (!job) return;
    job.reject(reason);
    try {
      await job.added;
      const notice: AbortNotice = { jobId: id, reason: toErrorInfo(reason) };
      if (markFirst) await this.options.client.set(this.names.abortKey(id), JSON.stringify(notice.reason), 'EX', ABORT_MARK_TTL_S);
      if ((await this.queue.remove(id)) === 1) return;
      // Taken by an agent (its lock prevents removal): mark first, then notify, so an agent
      // that takes the job between the two still sees the mark.
      if (!markFirst) await this.options.client.set(this.names.abortKey(id), JSON.stringify(notice.reason), 'EX', ABORT_MARK_TTL_S);
      await this.options.client.publish(this.names.abort, JSON.stringify(notice));
    } catch {
      // Redis is gone: the agent finishes the attempt, and its late result is dropped.
    }
  }

  private onMessage(id: string, message: AgentMessage): void {
    const job = this.jobs.get(id);
    if (!job || typeof message !== 'object' || message === null) return;
    const { channel, request } = job;
    switch (message.t) {
      case 'started':
        job.started = true;
        job.agent = message.agent;
        channel.started(message.agent);
        return;
      case 'log':
        channel.log(message.message, message.agent);
        return;
      case 'metric':
        channel.metric(message.name, message.value, message.agent);
        return;
      case 'error':
        job.error = message;
        return;
      case 'put':
        void this.reply(message.agent, message.rid, async () => {
          const key = this.names.blob(message.blob);
          const bytes = await this.options.client.getBuffer(key);
          await this.options.client.del(key);
          if (bytes === null) throw new DistributedError('TRANSFER_FAILED', `Artifact '${message.name}' of step '${request.step}' expired in transit.`);
          await channel.artifacts.put(message.name, bytes);
          return {};
        });
        return;
      case 'get':
        void this.reply(message.agent, message.rid, async () => {
          const bytes = await channel.artifacts.get(message.name, message.fromStep);
          const blob = randomUUID();
          await this.options.client.set(this.names.blob(blob), bytes, 'EX', BLOB_TTL_S);
          return { blob };
        });
        return;
      case 'spawn':
        void this.reply(message.agent, message.rid, async () => {
          const { kind, name, version } = message.template;
          const template = registry.find(kind, name, version);
          if (template === undefined) {
            throw new DistributedError('UNKNOWN_TEMPLATE', `Step '${request.step}' spawned ${kind} '${name}@${version}', which the controller has not registered.`);
          }
          return { value: await channel.spawn(template, message.options) };
        });
        return;
    }
  }

  private async reply(agent: string, rid: string, work: () => Promise<{ blob?: string; value?: unknown }>): Promise<void> {
    let reply: ControllerReply;
    try {
      reply = { t: 'reply', rid, ok: true, ...(await work()) };
    } catch (error) {
      reply = { t: 'reply', rid, ok: false, error: toErrorInfo(error) };
    }
    await this.options.client.publish(this.names.agent(agent), JSON.stringify(reply)).catch(() => undefined);
  }

  /**
   * One timer per queue, not per job: a 1 000-wide fan-out queued where no agent serves must
   * not ask Redis for its workers 1 000 times.
   */
  private watchWaiting(): void {
    if (this.waitingTimer !== undefined) return;
    const every = this.options.waitingWarningMs;
    this.waitingTimer = setInterval(() => void this.checkWaiting(), every);
    this.waitingTimer.unref();
  }

  private async checkWaiting(): Promise<void> {
    const now = Date.now();
    const { waitingWarningMs, queue } = this.options;
    const late = [...this.jobs.values()].filter((job) => !job.started && !job.warned && now - job.queuedAt >= waitingWarningMs);
    if (late.length === 0) return;
    let workers: number;
    try {
      workers = await this.queue.getWorkersCount();
    } catch {
      return; // Redis is down: nothing useful to say about agents
    }
    if (workers > 0) return; // agents are there, only busy
    for (const job of late) {
      if (job.started || !this.jobs.has(job.id)) continue;
      job.warned = true;
      const waitedMs = Date.now() - job.queuedAt;
      job.channel.waiting(
        queue,
        waitedMs,
        `[waiting] step '${job.request.step}' has waited ${waitedMs} ms in queue '${queue}', which no agent serves; start one with \`pipewright agent --queue ${queue}\`.`,
      );
    }
  }
}
