import type { Redis } from 'ioredis';
import type { PendingJob } from './pending-job';
import { reportStart } from './pending-job';

/**
 * How long after its `active` event a job's agent is looked up. Most steps that finish within it
 * report their start with their result (which names the agent) and need no lookup; a longer step
 * becomes `running` this much later than its agent took it.
 */
export const START_LOOKUP_DELAY_MS = 20;

/**
 * Learns which agent took a job from the `processedBy` field BullMQ writes into the job as it
 * moves it to active (the agent's Worker is named after the agent), so that agents need not send
 * a message of their own to announce a start. The lookups of the jobs taken within
 * {@link START_LOOKUP_DELAY_MS} go to Redis as one pipeline, once it has passed, for the jobs
 * whose start nothing has reported meanwhile (a log, an artifact, the result: each names the agent).
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

  /** The job is active: look up its agent unless something names it first. */
  taken(job: PendingJob): void {
    job.taken = true;
    if (job.reported) return;
    this.batch.push(job);
    if (this.batch.length === 1) setTimeout(() => void this.flush(), START_LOOKUP_DELAY_MS).unref();
  }

  private async flush(): Promise<void> {
    const jobs = this.batch.filter((job) => !job.reported && this.pending(job));
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
