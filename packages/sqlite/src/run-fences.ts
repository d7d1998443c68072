/**
 * Runs whose writes a failed commit lost. Writes are staged store-wide and a commit writes every
 * run's, so without a fence what a failed run stages afterwards (its steps aborted as it stops,
 * its end) would land with another run's commit: a record no resume expects, after a journal
 * with a gap. A fenced run stages nothing until it is begun again (`resume`), and its commits
 * throw the failure that fenced it, so it never acts on writes that were dropped.
 */
export class RunFences {
  private readonly failures = new Map<string, unknown>();

  /** A commit carrying the run's writes failed with `error`. */
  fence(runId: string, error: unknown): void {
    this.failures.set(runId, error);
  }

  /** `true` when the run's writes are dropped. */
  has(runId: string): boolean {
    return this.failures.size > 0 && this.failures.has(runId);
  }

  /** The run is begun again: its writes count from here. */
  lift(runId: string): void {
    if (this.failures.size > 0) this.failures.delete(runId);
  }

  /** Throws the failure that fenced the run, if one did. */
  check(runId: string): void {
    if (this.failures.size > 0 && this.failures.has(runId)) throw this.failures.get(runId);
  }
}
