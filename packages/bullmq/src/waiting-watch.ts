import type { Queue } from 'bullmq';
import type { PendingJob } from './pending-job';

/**
 * Warns about attempts that wait in a queue no agent serves, with one timer per queue, not per
 * job: a 1 000-wide fan-out queued where no agent serves must not ask Redis for its workers
 * 1 000 times. Agents that are merely busy do not warn.
 */
export class WaitingWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: Queue,
    private readonly waitingWarningMs: number,
    /** The attempts in flight. */
    private readonly jobs: ReadonlyMap<string, PendingJob>,
  ) {}

  /** Starts the timer if it is not running. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.check(), this.waitingWarningMs);
    this.timer.unref();
  }

  /** Stops the timer (nothing left in flight, or the link closes). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    const now = Date.now();
    const late = [...this.jobs.values()].filter((job) => !job.taken && !job.warned && now - job.queuedAt >= this.waitingWarningMs);
    if (late.length === 0) return;
    let workers: number;
    try {
      workers = await this.queue.getWorkersCount();
    } catch {
      return; // Redis is down: nothing useful to say about agents
    }
    if (workers > 0) return; // agents are there, only busy
    const queue = this.queue.name;
    for (const job of late) {
      if (job.taken || !this.jobs.has(job.id)) continue;
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
