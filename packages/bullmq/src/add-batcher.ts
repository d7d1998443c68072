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
  private batch: Array<{ readonly job: PendingJob; readonly release: () => void }> = [];
  private scheduled = false;

  constructor(
    private readonly queue: Queue,
    /** Whether the job is still wanted (an attempt aborted before the flush is not added). */
    private readonly pending: (job: PendingJob) => boolean,
    /** The add failed (Redis gone): the job is not in the queue. */
    private readonly failed: (job: PendingJob, error: unknown) => void,
  ) {}

  /** Queues `job` for the next flush; `job.added` settles once it is in Redis or has failed. */
  add(job: PendingJob): void {
    let release: () => void = () => undefined;
    job.added = new Promise((resolve) => (release = resolve));
    this.batch.push({ job, release });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const all = this.batch;
    this.batch = [];
    const jobs = all.filter(({ job }) => this.pending(job)).map(({ job }) => job);
    try {
      if (jobs.length > 0) await this.queue.addBulk(jobs.map((job) => ({ name: job.request.step, data: job.request, opts: { jobId: job.id } })));
      for (const job of jobs) job.sent = true;
    } catch (error) {
      // A pipeline fails as a whole when Redis goes away; jobs it did add run unobserved, and
      // their late results are dropped like any other.
      for (const job of jobs) this.failed(job, error);
    } finally {
      for (const { release } of all) release();
    }
  }
}
