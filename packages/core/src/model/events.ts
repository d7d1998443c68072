import type { ErrorInfo, RunStatus, StepStatus } from './results';

/** Fields every event carries. */
export interface EventBase {
  readonly runId: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** Fields every step event carries. */
export interface StepEventBase extends EventBase {
  readonly step: string;
  /** The attempt this event belongs to; 0 before the first attempt starts. */
  readonly attempt: number;
  /** Inside nested pipelines: the outer step names down to this step (`['prep', 'clean']`). */
  readonly path?: readonly string[];
  /** For steps run by an agent: the agent's id. */
  readonly agent?: string;
}

export interface RunStartedEvent extends EventBase {
  readonly type: 'run.started';
  readonly pipeline: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface RunEndedEvent extends EventBase {
  readonly type: 'run.succeeded' | 'run.failed' | 'run.aborted';
  readonly status: RunStatus;
  readonly elapsedMs: number;
  readonly error?: ErrorInfo;
}

export interface StepCreatedEvent extends StepEventBase {
  readonly type: 'step.created';
  /** The step that spawned this one, for spawned steps. */
  readonly spawnedBy?: string;
}

export interface StepQueuedEvent extends StepEventBase {
  readonly type: 'step.queued';
  readonly queue: string;
}

export interface StepStartedEvent extends StepEventBase {
  readonly type: 'step.started';
}

/**
 * A step that waits: queued with no agent picking it up for a while (it stays `queued`), or
 * inside its body on `ctx.waitFor` (with `signal`) or `ctx.sleep` (with `until`), when it is
 * `waiting` and holds no concurrency slot.
 */
export interface StepWaitingEvent extends StepEventBase {
  readonly type: 'step.waiting';
  /** The step's queue. */
  readonly queue: string;
  /** How long the step has been waiting, in milliseconds (0 as a durable wait begins). */
  readonly waitedMs: number;
  readonly message: string;
  /** For `ctx.waitFor`: the name of the signal awaited. */
  readonly signal?: string;
  /** For `ctx.sleep`: when the sleep ends (epoch ms). */
  readonly until?: number;
}

export interface StepRetryingEvent extends StepEventBase {
  readonly type: 'step.retrying';
  readonly error: ErrorInfo;
}

export interface StepSucceededEvent extends StepEventBase {
  readonly type: 'step.succeeded' | 'step.cached';
  readonly output: unknown;
}

export interface StepFailedEvent extends StepEventBase {
  readonly type: 'step.failed' | 'step.aborted';
  readonly error: ErrorInfo;
}

export interface StepSkippedEvent extends StepEventBase {
  readonly type: 'step.skipped';
  readonly reason: string;
}

export interface StepLogEvent extends StepEventBase {
  readonly type: 'step.log';
  readonly message: string;
}

export interface StepMetricEvent extends StepEventBase {
  readonly type: 'step.metric';
  readonly name: string;
  readonly value: number;
}

/** Events that concern one step. */
export type StepEvent =
  | StepCreatedEvent
  | StepQueuedEvent
  | StepStartedEvent
  | StepWaitingEvent
  | StepRetryingEvent
  | StepSucceededEvent
  | StepFailedEvent
  | StepSkippedEvent
  | StepLogEvent
  | StepMetricEvent;

/** Events that concern the run as a whole; exactly one `run.started` and one final `run.*` per run. */
export type RunEvent = RunStartedEvent | RunEndedEvent;

/** Everything `run.events$` emits: one discriminated union on `type`. */
export type PipelineEvent = RunEvent | StepEvent;

/** The event types, as a union of string literals. */
export type PipelineEventType = PipelineEvent['type'];

/**
 * The status a step has once this event is out (`pending` after `step.created`); `undefined` for
 * logs, metrics and run events. Given the event itself, a durable wait's `step.waiting` (one with
 * `signal` or `until`) is `waiting`; a queue's `step.waiting` changes nothing.
 */
export const statusOfEvent = (typeOrEvent: PipelineEventType | PipelineEvent): StepStatus | undefined => {
  const type = typeof typeOrEvent === 'string' ? typeOrEvent : typeOrEvent.type;
  switch (type) {
    case 'step.waiting': {
      if (typeof typeOrEvent === 'string') return undefined;
      const waiting = typeOrEvent as StepWaitingEvent;
      return waiting.signal !== undefined || waiting.until !== undefined ? 'waiting' : undefined;
    }
    case 'step.created':
      return 'pending';
    case 'step.queued':
      return 'queued';
    case 'step.started':
      return 'running';
    case 'step.retrying':
      return 'retrying';
    case 'step.succeeded':
      return 'succeeded';
    case 'step.cached':
      return 'cached';
    case 'step.failed':
      return 'failed';
    case 'step.skipped':
      return 'skipped';
    case 'step.aborted':
      return 'aborted';
    default:
      return undefined;
  }
};

/**
 * Event types that report what others act on and what `resume()` relies on: a run's start and
 * end, and every step outcome. Stores and the journal commit these without delay.
 */
export const OUTCOME_EVENT_TYPES: ReadonlySet<PipelineEventType> = new Set<PipelineEventType>([
  'run.started',
  'run.succeeded',
  'run.failed',
  'run.aborted',
  'step.succeeded',
  'step.cached',
  'step.failed',
  'step.skipped',
  'step.aborted',
]);
