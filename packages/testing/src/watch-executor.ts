import { InProcessExecutor } from '@pipewright/core';
import type { Executor, StepChannel, StepRequest } from '@pipewright/core';

/** What one step's attempts did, as the executor saw them. */
export interface AttemptRecord {
  /** What the last attempt's body threw (reset when an attempt starts). */
  thrown: { readonly error: unknown } | undefined;
  /** Why the last attempt's signal fired, if it did: the engine's own timeout or stop error. */
  abortReason: unknown;
}

/**
 * The in-process executor, watching one step: its context gets `wrapParents` applied to the
 * parents, and what its body throws is kept, so a test can be given the step's own error
 * rather than its serialized description.
 */
export class WatchingExecutor implements Executor {
  readonly record: AttemptRecord = { thrown: undefined, abortReason: undefined };
  private readonly inner = new InProcessExecutor();

  constructor(
    private readonly step: string,
    private readonly wrapParents: (parents: StepRequest['parents']) => StepRequest['parents'],
  ) {}

  async execute(request: StepRequest, channel: StepChannel): Promise<unknown> {
    if (request.step !== this.step) return this.inner.execute(request, channel);
    this.record.thrown = undefined;
    this.record.abortReason = undefined;
    channel.signal.addEventListener('abort', () => (this.record.abortReason = channel.signal.reason), { once: true });
    try {
      return await this.inner.execute({ ...request, parents: this.wrapParents(request.parents) }, channel);
    } catch (error) {
      this.record.thrown = { error };
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}
