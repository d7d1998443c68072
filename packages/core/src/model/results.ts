/** Where a step is in its life. `cached` counts as a success everywhere. */
export type StepStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'retrying'
  | 'waiting'
  | 'succeeded'
  | 'cached'
  | 'failed'
  | 'skipped'
  | 'aborted';

/** How a run ended. */
export type RunStatus = 'succeeded' | 'failed' | 'aborted';

/** A serializable description of an error: what crosses stores, agents and events. */
export interface ErrorInfo {
  readonly message: string;
  readonly code?: string;
  readonly name: string;
  /** The stack trace where it was thrown (source-mapped when node's source maps are on). */
  readonly stack?: string;
  /** What it wraps (`error.cause`), described the same way. */
  readonly cause?: ErrorInfo;
}

/** One line a step logged. */
export interface LogEntry {
  readonly at: number;
  readonly message: string;
}

/** A named artifact a step stored: enough to fetch its bytes from the artifact store. */
export interface ArtifactRef {
  /** Unique id of this artifact (21 alphanumeric characters). */
  readonly id: string;
  readonly name: string;
  readonly step: string;
  readonly runId: string;
  /** sha256 of the content: the content address in file-backed stores. */
  readonly hash: string;
  readonly size: number;
}

/** The result of one step: the same shape in `RunResult`, callbacks and stores. */
export interface StepResult<Output = unknown> {
  readonly status: StepStatus;
  readonly output: Output | undefined;
  /** Attempts started (0 for a step that never started). */
  readonly attempts: number;
  readonly error: ErrorInfo | undefined;
  /** Epoch milliseconds of the first attempt's start. */
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  /** Latest value of each metric reported with `ctx.metric`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly logs: readonly LogEntry[];
  /** Artifacts the step stored, by name. */
  readonly artifacts: Readonly<Record<string, ArtifactRef>>;
}

/** What `engine.run()` resolves with, for every finished run (failed and aborted included). */
export interface RunResult {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly status: RunStatus;
  readonly steps: Readonly<Record<string, StepResult>>;
  readonly elapsedMs: number;
  /** Why the run did not succeed, when it did not. */
  readonly error: ErrorInfo | undefined;
}

/** `true` for the statuses that count as success (`succeeded`, `cached`). */
export const isSuccess = (status: StepStatus): boolean => status === 'succeeded' || status === 'cached';

/** `true` once a step can no longer change. */
export const isTerminal = (status: StepStatus): boolean =>
  status === 'succeeded' || status === 'cached' || status === 'failed' || status === 'skipped' || status === 'aborted';
