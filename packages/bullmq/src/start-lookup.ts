import type { Redis } from 'ioredis';
import type { PendingJob } from './pending-job';
import { reportStart } from './pending-job';

/**
 * Learns which agent took a job from the `processedBy` field BullMQ writes into the job as it
 * moves it to active (the agent's Worker is named after the agent), so that agents need not send
 * a message of their own to announce a start. Lookups of the `active` events read in one batch
 * go to Redis as one pipeline, after the batch: a job whose result came in the same batch needs
 * none (its result names the agent).
 */
export class StartLookup {
  private batch: PendingJob[] = [];

  constructor(
    private readonly client: Redis,
    /** The Redis key of a job's hash. */
    private readonly jobKey: (id: string) => string,
    /** Whether the job is still in flight (a settled one has nothing left to report). */
    private readonly pending: (job: PendingJob) => boolean,
  ) {}

  /** The job is active: look up its agent once the current batch of events is read. */
  taken(job: PendingJob): void {
    job.taken = true;
    if (job.reported) return;
    this.batch.push(job);
    if (this.batch.length === 1) queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const jobs = this.batch.filter((job) => !job.reported);
    this.batch = [];
    if (jobs.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const job of jobs) pipeline.hget(this.jobKey(job.id), 'pb');
    const replies = (await pipeline.exec().catch(() => null)) ?? [];
    // A job that finished meanwhile is gone; its result reports the start.
    jobs.forEach((job, index) => {
      const agent = replies[index]?.[1];
      if (typeof agent === 'string' && this.pending(job)) reportStart(job, agent);
    });
  }
}
