import type { Queue } from 'bullmq';
import type { PendingJob } from './pending-job';

/**
 * Adds the jobs submitted during one event-loop turn with one `Queue.addBulk` (one pipelined
 * write, one reply) instead of one round trip each: a fan-out's ready steps arrive together, and
 * an agent that finds them queued together takes the next one as it finishes the last, instead
 * of going back to a blocking wait between each.
 *
 * Only attempts the engine has handed over are batched (it calls the executor once their parents'
 * results are committed); nothing is added ahead of that.
 */
export class AddBatcher {
  private batch: PendingJob[] = [];
  /** Settles once the current batch is in Redis (or failed): one promise per batch, not per job. */
  private flushed: Promise<void> | undefined;
  private release: () => void = () => undefined;

  constructor(
    private readonly queue: Queue,
    /** Whether the job is still wanted (an attempt aborted before the flush is not added). */
    private readonly pending: (job: PendingJob) => boolean,
    /** The add failed (Redis gone): the job is not in the queue. */
    private readonly failed: (job: PendingJob, error: unknown) => void,
  ) {}

  /** Queues `job` for the next flush; `job.added` settles once it is in Redis or has failed. */
  add(job: PendingJob): void {
    if (this.flushed === undefined) {
      this.flushed = new Promise((resolve) => (this.release = resolve));
      setImmediate(() => void this.flush());
    }
    job.added = this.flushed;
    this.batch.push(job);
  }

  private async flush(): Promise<void> {
    const all = this.batch;
    const release = this.release;
    this.batch = [];
    this.flushed = undefined;
    const jobs = all.filter((job) => this.pending(job));
    try {
      if (jobs.length > 0) await this.queue.addBulk(jobs.map((job) => ({ name: job.request.step, data: job.request, opts: { jobId: job.id } })));
      for (const job of jobs) job.sent = true;
    } catch (error) {
      // A pipeline fails as a whole when Redis goes away; jobs it did add run unobserved, and
      // their late results are dropped like any other.
      for (const job of jobs) this.failed(job, error);
    } finally {
      release();
    }
  }
}
