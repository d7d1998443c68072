import { fromErrorInfo, PipewrightError } from '@pipewright/core';
import type { ErrorInfo } from '@pipewright/core';

/**
 * Codes of {@link DistributedError}. Stable: match on `error.code`, never on messages.
 *
 * - `REDIS_UNAVAILABLE`: Redis could not be reached within the connect timeout.
 * - `EXECUTOR_CLOSED`: the executor was closed while the step was queued or running.
 * - `INVALID_OPTION`: an option of the executor or the agent is invalid.
 * - `INVALID_QUEUE`: a queue name BullMQ cannot use (empty, or containing `:`).
 * - `FUNCTION_STEP_NOT_REMOTE`: a step built with `addFunctionStep` is a closure and cannot leave its process.
 * - `INVALID_REQUEST`: a job's payload is not a step request.
 * - `UNKNOWN_PIPELINE`: the agent has no `@Pipeline` registered under the request's name and version.
 * - `UNKNOWN_STEP`: the pipeline has no method step by the request's name.
 * - `UNKNOWN_TEMPLATE`: the agent has no `@Task` registered under the request's template name and version.
 * - `MODULE_LOAD_FAILED`: an agent module could not be loaded.
 * - `JOB_FAILED`: BullMQ failed the job without a step error (for instance, it stalled too often).
 * - `TRANSFER_FAILED`: an artifact or spawn request between agent and controller failed.
 * - `AGENT_LOST`: the agent running the attempt stopped renewing its lock (it died or hung): the
 *   attempt fails, and the step's retry policy decides whether another agent runs it.
 */
export type DistributedErrorCode =
  | 'REDIS_UNAVAILABLE'
  | 'EXECUTOR_CLOSED'
  | 'INVALID_OPTION'
  | 'INVALID_QUEUE'
  | 'FUNCTION_STEP_NOT_REMOTE'
  | 'INVALID_REQUEST'
  | 'UNKNOWN_PIPELINE'
  | 'UNKNOWN_STEP'
  | 'UNKNOWN_TEMPLATE'
  | 'MODULE_LOAD_FAILED'
  | 'JOB_FAILED'
  | 'TRANSFER_FAILED'
  | 'AGENT_LOST';

/** Every error of `@pipewright/bullmq`, on the controller's side or the agent's. */
export class DistributedError extends PipewrightError {
  static override readonly kind = 'DistributedError';
  declare readonly code: DistributedErrorCode;

  constructor(code: DistributedErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * A step's error as the agent reported it, rebuilt in the controller: `message`, `name` and
 * `code` are the step's own (a `TypeError` stays a `TypeError` by name), so the step's recorded
 * error reads as it would in-process. `agent` names the agent that ran the attempt.
 */
export class RemoteStepError extends Error {
  /** The step's own code, when it had one. */
  readonly code: string | undefined;
  /** The agent that ran the attempt, when one did. */
  readonly agent: string | undefined;

  constructor(info: ErrorInfo, agent: string | undefined) {
    super(info.message, info.cause !== undefined ? { cause: fromErrorInfo(info.cause) } : undefined);
    Object.defineProperty(this, 'name', { value: info.name, enumerable: false, writable: true, configurable: true });
    // Where it was thrown, on the agent: the controller's own stack would say nothing useful.
    if (info.stack !== undefined) this.stack = info.stack;
    this.code = info.code;
    this.agent = agent;
  }
}
