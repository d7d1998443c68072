/**
 * The abort of one job an agent runs. Its `AbortSignal` is made only when asked for: most steps
 * never look at `ctx.signal`, and an `AbortController` per job was a twentieth of an agent's CPU
 * time in a fan-out of short steps. An abort that comes first is kept and given to the signal
 * when it is made.
 */
export class JobAbort {
  private controller: AbortController | undefined;
  private why: Error | undefined;

  /** Whether the job was aborted. */
  get aborted(): boolean {
    return this.why !== undefined;
  }

  /** Why the job was aborted, if it was. */
  get reason(): Error | undefined {
    return this.why;
  }

  /** The job's signal, made on first use (already aborted if the job was). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.why !== undefined) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  /** Aborts the job; the first reason stays. */
  abort(reason: Error): void {
    if (this.why !== undefined) return;
    this.why = reason;
    this.controller?.abort(reason);
  }

  /** Throws the abort's reason if the job was aborted. */
  throwIfAborted(): void {
    if (this.why !== undefined) throw this.why;
  }
}
