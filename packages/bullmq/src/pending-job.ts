import type { StepChannel, StepRequest } from '@pipewright/core';
import type { AgentMessage } from './protocol';

/** One attempt sent to the queue (or about to be) and not yet settled. */
export interface PendingJob {
  readonly id: string;
  readonly request: StepRequest;
  readonly channel: StepChannel;
  /** The channel's signal, read once (a step's channel finds it up its run's scopes). */
  readonly signal: AbortSignal;
  readonly queuedAt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Settles once the job is in Redis (or its add failed); `sent` tells which. */
  added: Promise<void>;
  sent: boolean;
  /** An agent has taken the job (BullMQ's `active` event). */
  taken: boolean;
  /** `channel.started` was called, naming `agent`. */
  reported: boolean;
  warned: boolean;
  agent: string | undefined;
  error: (AgentMessage & { t: 'error' }) | undefined;
}

/**
 * Reports the attempt as started on `agent`, once. Every message of an agent names it, so the
 * first of them (the lookup after `active`, a log, the result) reports the start, and nothing
 * the step sends can precede its `step.started`.
 */
export const reportStart = (job: PendingJob, agent: string | undefined): void => {
  if (job.reported || agent === undefined || agent === '') return;
  job.reported = true;
  job.taken = true;
  job.agent = agent;
  job.channel.started(agent);
};
