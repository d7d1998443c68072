import { PipewrightError } from '@pipewright/core';

/** Codes of {@link TestingError}: the test asked for something the pipeline cannot give. */
export type TestingErrorCode =
  /** `testStep` or `fakes` named a step the pipeline does not have. */
  | 'UNKNOWN_STEP'
  /** `testStep` was given an output for a step that is not a parent of the step under test. */
  | 'NOT_A_PARENT'
  /** The step under test reads a parent's output (`ctx.parents.x` or `${x.output}`) that the test did not give. */
  | 'MISSING_PARENT'
  /** The step under test read `ctx.parents.x` for an `x` that is not one of its parents. */
  | 'UNDECLARED_PARENT'
  /** The step under test did not succeed and threw nothing of its own (a timeout, a skip, a failed callback). */
  | 'STEP_NOT_SUCCEEDED'
  /** `settle` advanced the fake clock its limit of times and the promise was still pending. */
  | 'STILL_PENDING'
  /** `expectEventsInOrder` did not find an expected event after the previous one. */
  | 'EVENTS_OUT_OF_ORDER';

/**
 * What the testing kit throws. `step` names the step concerned, `parent` the parent concerned
 * (`NOT_A_PARENT`, `MISSING_PARENT`, `UNDECLARED_PARENT`).
 */
export class TestingError extends PipewrightError {
  static override readonly kind: string = 'TestingError';
  declare readonly code: TestingErrorCode;
  readonly step: string | undefined;
  readonly parent: string | undefined;

  constructor(code: TestingErrorCode, message: string, context: { step?: string; parent?: string; cause?: unknown } = {}) {
    super(code, message, context.cause === undefined ? undefined : { cause: context.cause });
    this.step = context.step;
    this.parent = context.parent;
  }
}
