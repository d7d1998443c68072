/**
 * Cancellation as a tree: run → step → attempt. Cancelling a scope cancels every scope below
 * it, once, with the reason given; code below a scope asks `scope.cancelled` (or listens) instead
 * of re-deriving "has this ended?" from statuses after each await.
 *
 * Only the run's scope owns an `AbortSignal`, made when first asked for (most steps never look
 * at theirs, and a small run pays for an `AbortController` it does not use). A step or attempt
 * scope borrows its parent's signal and makes its own only when it needs one that fires alone (an
 * attempt with a time limit): an `AbortController` per step would cost a chain of 100 000 steps a
 * tenth of a second.
 */
export class CancellationScope {
  private controller: AbortController | undefined;
  private children: Set<CancellationScope> | undefined;
  private listeners: Array<(reason: unknown) => void> | undefined;
  private cancelReason: unknown;
  private isCancelled = false;

  private constructor(
    private readonly parent: CancellationScope | undefined,
    /** Whether the scope's signal is its own (made on first use) rather than its parent's. */
    private readonly ownSignal: boolean,
  ) {}

  /** The root scope of a run; its signal is the run's. */
  static root(): CancellationScope {
    return new CancellationScope(undefined, true);
  }

  /**
   * A scope below this one. `ownSignal` gives it a signal that can fire without its parent's
   * (an attempt's time limit); otherwise it shares the nearest ancestor's.
   */
  child(ownSignal = false): CancellationScope {
    const scope = new CancellationScope(this, ownSignal);
    if (this.isCancelled) scope.cancel(this.cancelReason);
    else (this.children ??= new Set()).add(scope);
    return scope;
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  /** Why the scope was cancelled (a `StepError` for Pipewright's own aborts). */
  get reason(): unknown {
    return this.cancelReason;
  }

  /** Fires when this scope, or any scope above it, is cancelled (a cancel cascades down to it). */
  get signal(): AbortSignal {
    if (!this.ownSignal) return (this.parent as CancellationScope).signal;
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.isCancelled) this.controller.abort(this.cancelReason);
    }
    return this.controller.signal;
  }

  /** Calls `listener` once when the scope is cancelled (at once if it already is). */
  onCancel(listener: (reason: unknown) => void): void {
    if (this.isCancelled) listener(this.cancelReason);
    else (this.listeners ??= []).push(listener);
  }

  /** Cancels this scope and everything below it; a second call changes nothing. */
  cancel(reason: unknown): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    this.cancelReason = reason;
    this.parent?.children?.delete(this);
    if (this.controller !== undefined && !this.controller.signal.aborted) this.controller.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
    const children = this.children;
    this.children = undefined;
    if (children) for (const child of children) child.cancel(reason);
  }

  /** Detaches a scope whose work ended normally, so its parent stops tracking it. */
  dispose(): void {
    this.parent?.children?.delete(this);
    this.listeners = undefined;
  }
}
