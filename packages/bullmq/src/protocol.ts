import type { ErrorInfo, StepRequest } from '@pipewright/core';
import { DistributedError } from './errors';

/**
 * The wire protocol between a {@link BullMQExecutor} (the controller) and its agents.
 *
 * - A step attempt is a BullMQ job whose data is the `StepRequest`; it returns a {@link JobResult}.
 *   The controller adds the attempts that become ready in one turn with one `addBulk`.
 * - The start: BullMQ's `active` event, then the agent's id from the job's `processedBy` field
 *   (an agent's Worker is named after the agent), unless a message of the agent or its result,
 *   which name it too, comes first. Agents send nothing of their own to announce it.
 * - Agent → controller: job progress ({@link AgentMessage}), read back from the queue's events stream.
 *   Progress events share the queue's events stream with `completed` and `failed`, so a step's
 *   logs always arrive before its completion, and a controller that reconnects reads on from
 *   where it was. Plain pub/sub would give neither guarantee.
 * - Controller → agent: pub/sub, for replies to an agent's own requests (artifacts, spawn) and
 *   abort notices; an abort is also written to a key that an agent reads when it takes a job
 *   that was taken before (a stalled job BullMQ re-queued). A notice that reaches an agent just
 *   before the job it names is registered there is kept for that moment.
 * - Artifact bytes travel through short-lived keys, never through the stream or pub/sub
 *   (Redis caps a subscriber's output buffer, and the stream keeps entries until trimmed).
 */

/** Default BullMQ key prefix. */
export const DEFAULT_PREFIX = 'pipewright';

/** What a job returns: the step's output, wrapped so that `undefined` survives JSON, and the agent that ran it. */
export interface JobResult {
  readonly output: unknown;
  readonly agent?: string;
}

/** A template named by registry entry, as `ctx.spawn` sends it. */
export interface TemplateName {
  readonly kind: 'task' | 'pipeline';
  readonly name: string;
  readonly version: string;
}

/**
 * Agent → controller, as job progress. `rid` pairs a request with its {@link ControllerReply}.
 * `started` is no longer sent (the controller looks the start up) but still understood.
 */
export type AgentMessage =
  | { readonly t: 'started'; readonly agent: string }
  | { readonly t: 'log'; readonly agent: string; readonly message: string }
  | { readonly t: 'metric'; readonly agent: string; readonly name: string; readonly value: number }
  | { readonly t: 'put'; readonly agent: string; readonly rid: string; readonly name: string; readonly blob: string }
  | { readonly t: 'get'; readonly agent: string; readonly rid: string; readonly name: string; readonly fromStep?: string }
  | {
      readonly t: 'spawn';
      readonly agent: string;
      readonly rid: string;
      readonly template: TemplateName;
      readonly options: { readonly name?: string; readonly params?: Record<string, unknown>; readonly queue?: string };
    }
  | { readonly t: 'error'; readonly agent: string; readonly error: ErrorInfo };

/** Controller → one agent, on its own channel. */
export type ControllerReply =
  | { readonly t: 'reply'; readonly rid: string; readonly ok: true; readonly blob?: string; readonly value?: unknown }
  | { readonly t: 'reply'; readonly rid: string; readonly ok: false; readonly error: ErrorInfo };

/** Controller → every agent: abort the job if you run it. */
export interface AbortNotice {
  readonly jobId: string;
  readonly reason: ErrorInfo;
}

/** Redis names derived from the prefix. */
export const channelNames = (prefix: string) => ({
  abort: `${prefix}:pipewright:abort`,
  abortKey: (jobId: string) => `${prefix}:pipewright:abort:${jobId}`,
  agent: (agent: string) => `${prefix}:pipewright:agent:${agent}`,
  blob: (id: string) => `${prefix}:pipewright:blob:${id}`,
});

/** How long an abort mark and an artifact blob in transit are kept, in seconds. */
export const ABORT_MARK_TTL_S = 3_600;
export const BLOB_TTL_S = 600;

/** The serializable description of anything thrown (core's, with stack and causes). */
export { toErrorInfo } from '@pipewright/core';

/** BullMQ refuses `:` in queue names (it separates key parts). */
export const checkQueueName = (queue: unknown): string => {
  if (typeof queue !== 'string' || queue.length === 0 || queue.includes(':')) {
    throw new DistributedError('INVALID_QUEUE', `Queue name ${JSON.stringify(queue)} is invalid: use a non-empty name without ':'.`);
  }
  return queue;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks that a job's data is a step request. Job payloads are untrusted: this reads data
 * only, and names nothing that could be loaded.
 */
export const parseStepRequest = (data: unknown): StepRequest => {
  const bad = (what: string): never => {
    throw new DistributedError('INVALID_REQUEST', `The job's payload is not a step request: ${what}.`);
  };
  if (!isObject(data)) return bad('not an object');
  const { runId, pipeline, step, template, params, parents, attempt, queue } = data;
  if (typeof runId !== 'string') bad('runId must be a string');
  if (!isObject(pipeline) || typeof pipeline.name !== 'string' || typeof pipeline.version !== 'string' || !isObject(pipeline.params)) {
    bad('pipeline must be { name, version, params }');
  }
  if (typeof step !== 'string' || step.length === 0) bad('step must be a non-empty string');
  if (template !== undefined && template !== null) {
    if (!isObject(template) || (template.kind !== 'task' && template.kind !== 'pipeline') || typeof template.name !== 'string' || typeof template.version !== 'string') {
      bad("template must be { kind: 'task' | 'pipeline', name, version }");
    }
  }
  if (!isObject(params)) bad('params must be an object');
  if (!isObject(parents)) bad('parents must be an object');
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) bad('attempt must be an integer ≥ 1');
  if (typeof queue !== 'string') bad('queue must be a string');
  return { ...(data as unknown as StepRequest), template: template ?? undefined } as StepRequest;
};
