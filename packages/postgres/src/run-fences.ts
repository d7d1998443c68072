import type { Staged } from './staged';

/**
 * Runs whose writes a failed commit carried. Staging is shared by every run of the store, and
 * the next commit (whoever asks for it: another run, or the run's own resume) sends all of it;
 * so without a fence the writes a failed run staged after its failing batch was taken (a step
 * that succeeded meanwhile, its steps aborted as the run stopped) would land later, after a
 * resume has read the run back: a success the resume never saw, or a stale row over a newer one.
 * A fenced run's staged writes are taken back and its later writes dropped until it is begun
 * again; its commits reject with the failure that fenced it, so it never acts on dropped writes.
 */
export class RunFences {
  private readonly failures = new Map<string, unknown>();

  constructor(private readonly staged: Staged) {}

  /** A commit carrying writes of `runs` failed with `error`. */
  fence(runs: ReadonlySet<string>, error: unknown): void {
    for (const runId of runs) {
      this.failures.set(runId, error);
      this.staged.discard(runId);
    }
  }

  /** `true` when the run's writes are dropped. */
  has(runId: string): boolean {
    return this.failures.size > 0 && this.failures.has(runId);
  }

  /** The run is begun again (resume): its writes count from here. */
  lift(runId: string): void {
    this.failures.delete(runId);
  }

  /** Throws the failure that fenced the run, if one did. */
  check(runId: string): void {
    if (this.failures.has(runId)) throw this.failures.get(runId);
  }
}
