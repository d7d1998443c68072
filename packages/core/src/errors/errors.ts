/**
 * Every error Pipewright throws or records, with its stable `code`.
 *
 * Codes are part of the public contract: match on `error.code`, never on messages.
 */

/** Brand shared by every Pipewright error, so `instanceof` holds across module registries. */
const BRAND = Symbol.for('@pipewright/core/error-kinds');

/** Codes of {@link PipelineDefinitionError}: the pipeline cannot run at all. */
export type DefinitionErrorCode =
  | 'CYCLE'
  | 'UNKNOWN_PARENT'
  | 'DUPLICATE_STEP'
  | 'NOT_A_PIPELINE'
  | 'INVALID_TEMPLATE'
  | 'BAD_REFERENCE'
  | 'INVALID_OPTION'
  | 'MISSING_INJECTION_METADATA';

/** Codes of {@link ParameterError}: a run was given parameters the pipeline does not accept. */
export type ParameterErrorCode = 'UNKNOWN_PARAMETER' | 'PARAMETER_TYPE' | 'PARAMETER_VALUE';

/** Codes recorded on a step that did not succeed (see {@link StepError}), as data. */
export const STEP_ERROR_CODES = [
  'STEP_FAILED',
  'STEP_TIMEOUT',
  'RUN_TIMEOUT',
  'RUN_STOPPED',
  'ABORTED_ON_FAILURE',
  'CALLBACK_FAILED',
  'REFERENCE_NOT_FOUND',
  'ARTIFACT_NOT_FOUND',
  'SPAWN_FAILED',
  'DUPLICATE_STEP',
  'NOT_SERIALIZABLE',
  'WAIT_TIMEOUT',
  'INVALID_WAIT',
  'WAIT_NOT_SUPPORTED',
] as const;

/** Codes recorded on a step that did not succeed (see {@link StepError}). */
export type StepErrorCode = (typeof STEP_ERROR_CODES)[number];

/** Whether `code` is one of {@link StepErrorCode}. */
export const isStepErrorCode = (code: unknown): code is StepErrorCode => (STEP_ERROR_CODES as readonly unknown[]).includes(code);

/** Why a step was skipped, as the `code` of a skipped step's `error` (its `name` is `Skipped`). */
export type SkipCode = 'SKIPPED_BY_CALLBACK' | 'PARENT_NOT_SUCCEEDED' | 'RUN_ENDED';

/** Codes of {@link StoreError}: the store could not keep what the run changed. */
export type StoreErrorCode = 'STORE_FAILED';

/** Every code that can reach a `RunResult` or a step's result, besides a user error's own. */
export type ResultErrorCode = StepErrorCode | SkipCode | StoreErrorCode;

/** Codes of {@link EngineError}: the engine itself was misused. */
export type EngineErrorCode =
  | 'ENGINE_CLOSED'
  | 'RUN_NOT_FOUND'
  | 'INVALID_OPTION'
  | 'PIPELINE_NOT_FOUND'
  | 'DEFINITION_CHANGED'
  | 'RUN_LOCKED'
  | 'ASYNC_STORE'
  | 'STEP_NOT_FOUND'
  | 'NOT_SUPPORTED'
  | 'RUN_INTERRUPTED'
  | 'RUN_FINISHED'
  | 'SIGNAL_NOT_JSON'
  | 'INVALID_CRON';

/** Any code a Pipewright error may carry. */
export type PipewrightErrorCode = DefinitionErrorCode | ParameterErrorCode | StepErrorCode | EngineErrorCode | StoreErrorCode;

/**
 * Base class of every Pipewright error.
 *
 * `instanceof` is answered from a brand on the instance rather than the prototype chain,
 * because jest (and bundlers) may load this module twice and produce two distinct classes.
 */
export class PipewrightError extends Error {
  /** The kind checked by `instanceof`; each subclass overrides it. */
  static readonly kind: string = 'PipewrightError';

  /** Stable, machine-readable code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    const kinds: string[] = [];
    for (let ctor = new.target as unknown; ctor !== Error && typeof ctor === 'function'; ) {
      const kind = (ctor as { kind?: string }).kind;
      if (kind !== undefined && !kinds.includes(kind)) kinds.push(kind);
      ctor = Object.getPrototypeOf(ctor);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    Object.defineProperty(this, 'name', { value: kinds[0] ?? 'PipewrightError', enumerable: false, writable: true, configurable: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const kinds = (value as { [BRAND]?: unknown })[BRAND];
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
}

/** The pipeline's definition is invalid; nothing was started. */
export class PipelineDefinitionError extends PipewrightError {
  static override readonly kind = 'PipelineDefinitionError';
  declare readonly code: DefinitionErrorCode;
  /** Name of the pipeline (or class) being defined. */
  readonly pipeline: string;
  /** The offending step, when there is one. */
  readonly step: string | undefined;
  /** For `CYCLE`: the steps of the cycle in dependency order, first repeated last. */
  readonly cycle: readonly string[] | undefined;
  /** For `UNKNOWN_PARENT` and `BAD_REFERENCE`: the name that could not be found. */
  readonly missing: string | undefined;

  constructor(
    code: DefinitionErrorCode,
    message: string,
    context: { pipeline: string; step?: string; cycle?: readonly string[]; missing?: string },
  ) {
    super(code, message);
    this.pipeline = context.pipeline;
    this.step = context.step;
    this.cycle = context.cycle;
    this.missing = context.missing;
  }
}

/** A run was given a parameter the pipeline does not declare, or of the wrong type; nothing was started. */
export class ParameterError extends PipewrightError {
  static override readonly kind = 'ParameterError';
  declare readonly code: ParameterErrorCode;
  /** The parameter as it was given (`rows`, or `train.lr` for a step parameter). */
  readonly parameter: string;
  /** The step addressed, for a step parameter. */
  readonly step: string | undefined;
  /** The parameters that are declared where this one was looked for. */
  readonly declared: readonly string[];
  /** For `PARAMETER_TYPE`: the declared default's type and the given value's type. */
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(
    code: ParameterErrorCode,
    message: string,
    context: { parameter: string; step?: string; declared: readonly string[]; expected?: string; actual?: string },
  ) {
    super(code, message);
    this.parameter = context.parameter;
    this.step = context.step;
    this.declared = context.declared;
    this.expected = context.expected;
    this.actual = context.actual;
  }
}

/** Why a step did not succeed: recorded in its result (`error.code`) and thrown from `ctx.spawn`. */
export class StepError extends PipewrightError {
  static override readonly kind = 'StepError';
  declare readonly code: StepErrorCode;
  /** The step that failed. */
  readonly step: string;

  constructor(code: StepErrorCode, step: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.step = step;
  }
}

/** The engine was used in a way it cannot serve (closed, or asked for a run it does not know). */
export class EngineError extends PipewrightError {
  static override readonly kind = 'EngineError';
  declare readonly code: EngineErrorCode;
  /** The run concerned, when there is one. */
  readonly runId: string | undefined;
  /** For `DEFINITION_CHANGED`: one line per difference (`added step 'x'`, `changed step 'y'`). */
  readonly details: readonly string[];
  /** For `RUN_LOCKED`: who drives the run (`owner`, `host`, `pid`) and when its lease expires unless renewed. */
  readonly holder: { readonly owner: string; readonly host: string; readonly pid: number; readonly expiresAt: number } | undefined;
  /** For `RUN_LOCKED`: ms until the holder's lease expires, unless it renews it. */
  readonly retryInMs: number | undefined;
  /** For `STEP_NOT_FOUND` and `INVALID_OPTION`: the step or option concerned. */
  readonly subject: string | undefined;

  constructor(
    code: EngineErrorCode,
    message: string,
    context: {
      runId?: string;
      details?: readonly string[];
      holder?: EngineError['holder'];
      retryInMs?: number;
      subject?: string;
    } = {},
  ) {
    super(code, message);
    this.runId = context.runId;
    this.details = context.details ?? [];
    this.holder = context.holder;
    this.retryInMs = context.retryInMs;
    this.subject = context.subject;
  }
}

/** The store failed to commit a run's changes: the run ended `failed`, and nothing started on what was not saved. */
export class StoreError extends PipewrightError {
  static override readonly kind = 'StoreError';
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
