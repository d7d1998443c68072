import type { Redis } from 'ioredis';
import type { PendingJob } from './pending-job';
import { reportStart } from './pending-job';

/**
 * How long after its `active` event a job's agent is looked up. Most steps that finish within it
 * report their start with their result (which names the agent) and need no lookup; a longer step
 * becomes `running` this much later than its agent took it.
 */
export const START_LOOKUP_DELAY_MS = 20;

/** The least time between two lookups: a job is looked up at most this much after its delay. */
const LOOKUP_GRAIN_MS = 5;

/** How many done entries the queue of taken jobs keeps before it drops them. */
const COMPACT_AFTER = 1_024;

/**
 * Learns which agent took a job from the `processedBy` field BullMQ writes into the job as it
 * moves it to active (the agent's Worker is named after the agent), so that agents need not send
 * a message of their own to announce a start. Each job waits its own {@link START_LOOKUP_DELAY_MS}
 * from its `active` event (not the rest of a window opened by an earlier one, which looked up
 * every job taken near its end); the lookups that fall due together go to Redis as one pipeline,
 * for the jobs whose start nothing has reported meanwhile (a log, an artifact, the result: each
 * names the agent).
 */
export class StartLookup {
  /** Jobs taken, oldest first, and when each was taken (`Date.now()`); those before `head` are done. */
  private jobs: PendingJob[] = [];
  private takenAt: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

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
    this.jobs.push(job);
    this.takenAt.push(Date.now());
    if (this.timer === undefined) this.arm(START_LOOKUP_DELAY_MS);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const now = Date.now();
    const jobs: PendingJob[] = [];
    // A timer may fire a little before its time by Date.now(): a millisecond early is due.
    while (this.head < this.jobs.length && now - (this.takenAt[this.head] as number) >= START_LOOKUP_DELAY_MS - 1) {
      const job = this.jobs[this.head++] as PendingJob;
      if (!job.reported && this.pending(job)) jobs.push(job);
    }
    if (this.head === this.jobs.length) {
      this.jobs = [];
      this.takenAt = [];
      this.head = 0;
    } else {
      if (this.head >= COMPACT_AFTER) {
        // A steady stream never empties the queue: drop what is done now and then, not at each flush.
        this.jobs = this.jobs.slice(this.head);
        this.takenAt = this.takenAt.slice(this.head);
        this.head = 0;
      }
      // Lookups gathered a few milliseconds at a time: one pipeline and one timer for each.
      this.arm(Math.max(LOOKUP_GRAIN_MS, (this.takenAt[this.head] as number) + START_LOOKUP_DELAY_MS - now));
    }
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
