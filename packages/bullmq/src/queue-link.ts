import type { StepChannel, StepRequest } from '@pipewright/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { AddBatcher } from './add-batcher';
import { handleAgentMessage } from './agent-messages';
import type { RedisConnection } from './connection';
import { DistributedError, RemoteStepError } from './errors';
import { EventsReader } from './events-reader';
import type { PendingJob } from './pending-job';
import { reportStart } from './pending-job';
import { ABORT_MARK_TTL_S, channelNames, toErrorInfo } from './protocol';
import type { AbortNotice, AgentMessage, JobResult } from './protocol';
import { SignalWatch } from './signal-watch';
import { StartLookup } from './start-lookup';
import { WaitingWatch } from './waiting-watch';

/** The `added` of a job before the batcher takes it: one settled promise for all. */
const NOT_ADDED: Promise<void> = Promise.resolve();

/** What a link needs from its executor. */
export interface QueueLinkOptions {
  readonly queue: string;
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly waitingWarningMs: number;
  /** The executor's command client: blobs, abort marks, replies, start lookups. */
  readonly client: Redis;
}

/**
 * The controller's side of one queue: a BullMQ `Queue` to add jobs, one reader of the queue's
 * events stream for their progress, start and completion (results come back as the jobs' return
 * values), and the attempts in flight.
 */
export class QueueLink {
  private readonly queue: Queue;
  private readonly events: EventsReader;
  private readonly jobs = new Map<string, PendingJob>();
  private readonly names: ReturnType<typeof channelNames>;
  private readonly adds: AddBatcher;
  private readonly starts: StartLookup;
  private readonly signals = new SignalWatch((signal) => {
    for (const job of [...this.jobs.values()]) if (job.signal === signal) void this.abort(job.id, signal.reason);
  });
  private readonly waiting: WaitingWatch;
  /** Why the link closed: a step that reaches it afterwards fails with it. */
  private closedWith: Error | undefined;
  /**
   * Job ids: this link's random prefix and a counter. Unique across controllers that share the
   * queue (72 random bits per link), and shorter than a UUID in every key, event and reply that
   * names the job (a job id appears in some twenty of them).
   */
  private readonly idPrefix = `pw-${randomBytes(9).toString('base64url')}-`;
  private lastId = 0;

  private constructor(private readonly options: QueueLinkOptions) {
    const { queue, connection, prefix, client } = options;
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
    const pending = (job: PendingJob): boolean => this.jobs.get(job.id) === job;
    this.adds = new AddBatcher(this.queue, pending, (job, error) => {
      const message = `Could not add step '${job.request.step}' to queue '${queue}': ${toErrorInfo(error).message}`;
      this.settle(job.id)?.reject(new DistributedError('REDIS_UNAVAILABLE', message, { cause: error }));
    });
    this.starts = new StartLookup(client, (id) => this.queue.toKey(id), pending);
    this.waiting = new WaitingWatch(this.queue, options.waitingWarningMs, this.jobs);
    this.events = new EventsReader(connection, `${prefix}:${queue}:events`, {
      progress: (jobId, data) => {
        const job = this.jobs.get(jobId);
        if (job && typeof data === 'object' && data !== null) handleAgentMessage({ client, names: this.names }, job, data as AgentMessage);
      },
      active: (jobId) => {
        const job = this.jobs.get(jobId);
        if (job) this.starts.taken(job);
      },
      stalled: (jobId) => {
        const job = this.jobs.get(jobId);
        if (!job) return;
        const lost = `agent ${job.agent ?? '(unknown)'} stopped renewing its lock on step '${job.request.step}'`;
        job.channel.log(`[stalled] ${lost}; the attempt fails and the step's retry policy decides whether another agent runs it.`, job.agent);
        // A lost agent is a failed attempt, retried like any other (not BullMQ's re-run, then JOB_FAILED).
        void this.abort(jobId, new DistributedError('AGENT_LOST', `The ${lost} in queue '${queue}' (it died or hung).`), true);
      },
      completed: (jobId, returnvalue) => {
        const job = this.settle(jobId);
        if (!job) return;
        const result = returnvalue as JobResult | null | undefined;
        reportStart(job, result?.agent);
        job.resolve(result?.output);
      },
      failed: (jobId, failedReason) => {
        const job = this.settle(jobId);
        if (!job) return;
        if (job.error) job.reject(new RemoteStepError(job.error.error, job.error.agent));
        else job.reject(new DistributedError('JOB_FAILED', `BullMQ failed the job of step '${job.request.step}' in queue '${queue}': ${failedReason}`));
      },
    });
  }

  /**
   * Opens a link that reads the events stream from its current end, so no event of a job added
   * afterwards can be missed, however late the reader's first blocking read is.
   */
  static async open(options: QueueLinkOptions): Promise<QueueLink> {
    const key = `${options.prefix}:${options.queue}:events`;
    const last = (await options.client.xrevrange(key, '+', '-', 'COUNT', 1))[0];
    const link = new QueueLink(options);
    try {
      await Promise.all([link.queue.waitUntilReady(), link.events.start(last?.[0] ?? '0-0')]);
    } catch (error) {
      await Promise.allSettled([link.events.close(), link.queue.close()]);
      throw error;
    }
    return link;
  }

  /** Adds the attempt as a job (with the others of this turn); settles with its output or error. */
  submit(request: StepRequest, channel: StepChannel): Promise<unknown> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const id = this.idPrefix + (++this.lastId).toString(36);
      const job: PendingJob = {
        id,
        request,
        channel,
        signal: channel.signal,
        queuedAt: Date.now(),
        resolve,
        reject,
        added: NOT_ADDED, // the batcher's flush replaces it
        sent: false,
        taken: false,
        reported: false,
        warned: false,
        agent: undefined,
        error: undefined,
      };
      this.jobs.set(id, job);
      this.signals.watch(job.signal);
      this.adds.add(job);
      this.waiting.start();
    });
  }

  /** Rejects what is still in flight and closes the queue and its events reader. */
  async close(reason: Error): Promise<void> {
    this.closedWith = reason;
    this.waiting.stop();
    for (const id of [...this.jobs.keys()]) this.settle(id)?.reject(reason);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  private settle(id: string): PendingJob | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    this.jobs.delete(id);
    this.signals.unwatch(job.signal);
    if (this.jobs.size === 0) this.waiting.stop();
    return job;
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
      if (!job.sent) return; // aborted before its batch went out: never added
      const notice: AbortNotice = { jobId: id, reason: toErrorInfo(reason) };
      const { client } = this.options;
      if (markFirst) await client.set(this.names.abortKey(id), JSON.stringify(notice.reason), 'EX', ABORT_MARK_TTL_S);
      if ((await this.queue.remove(id)) === 1) return;
      // Taken by an agent (its lock prevents removal): mark first, then notify, so an agent
      // that takes the job again after a stall still sees the mark.
      if (!markFirst) await client.set(this.names.abortKey(id), JSON.stringify(notice.reason), 'EX', ABORT_MARK_TTL_S);
      await client.publish(this.names.abort, JSON.stringify(notice));
    } catch {
      // Redis is gone: the agent finishes the attempt, and its late result is dropped.
    }
  }
}
