import { StepError } from '@pipewright/core';
import type { StepErrorCode } from '@pipewright/core';
import { JobAbort } from './job-abort';
import type { AbortNotice, ControllerReply } from './protocol';

const STEP_ERROR_CODES: ReadonlySet<string> = new Set<StepErrorCode>(['STEP_TIMEOUT', 'RUN_TIMEOUT', 'RUN_STOPPED', 'ABORTED_ON_FAILURE']);

/** How many abort notices for jobs an agent does not run (yet) it keeps: every agent hears every notice. */
const KEPT_NOTICES = 10_000;

/** The serializable reason of an abort, as the controller sends it. */
export type AbortReason = AbortNotice['reason'];

/**
 * What the controller tells an agent (pub/sub): abort notices for the jobs it runs, and replies
 * to its own requests. The agent's side of the control channel, apart from the connection.
 */
export class AgentControl {
  private readonly running = new Map<string, { readonly abort: JobAbort; readonly step: string }>();
  /**
   * Notices for jobs not running here, newest last: the controller announces an abort once it
   * finds the job taken, which can be before the agent that took it has registered it.
   */
  private readonly notices = new Map<string, AbortReason>();
  private readonly replies = new Map<string, (reply: ControllerReply) => void>();

  constructor(
    /** The abort channel's name (the other channel is the agent's own, for replies). */
    private readonly abortChannel: string,
  ) {}

  /** A message on one of the agent's channels. */
  onMessage(channel: string, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (channel === this.abortChannel) {
      const { jobId, reason } = message as AbortNotice;
      const running = this.running.get(jobId);
      if (running) return running.abort.abort(abortReason(reason, running.step));
      this.notices.set(jobId, reason);
      if (this.notices.size > KEPT_NOTICES) this.notices.delete(this.notices.keys().next().value as string);
    } else {
      const reply = message as ControllerReply;
      this.replies.get(reply.rid)?.(reply);
    }
  }

  /** Registers a job as running here; it is aborted on an abort notice, even one just heard. */
  register(jobId: string, step: string): JobAbort {
    const abort = new JobAbort();
    this.running.set(jobId, { abort, step });
    const heard = this.notices.get(jobId);
    if (heard !== undefined) {
      this.notices.delete(jobId);
      abort.abort(abortReason(heard, step));
    }
    return abort;
  }

  unregister(jobId: string): void {
    this.running.delete(jobId);
  }

  /** Resolves with the controller's reply to `rid`; rejects when `signal` fires first. */
  awaitReply(rid: string, signal: AbortSignal): Promise<ControllerReply> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.replies.delete(rid);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.replies.set(rid, (reply) => {
        this.replies.delete(rid);
        signal.removeEventListener('abort', onAbort);
        resolve(reply);
      });
    });
  }
}

/** What `ctx.signal.reason` is on the agent: a `StepError` when the controller sent one. */
export const abortReason = (reason: AbortReason, step: string): Error => {
  if (reason.code !== undefined && STEP_ERROR_CODES.has(reason.code)) return new StepError(reason.code as StepErrorCode, step, reason.message);
  return new Error(reason.message);
};
