import type { Params } from '../../model/options';
import type { StepRequest } from '../../model/step-request';
import type { StepNode } from '../../graph/step-node';
import type { StepError } from '../../errors/errors';
import type { CancellationScope } from './cancellation-scope';
import type { ArtifactRef, ErrorInfo, LogEntry, StepStatus } from '../../model/results';

/** The mutable result of one step: handed to stores by reference. */
export interface MutableStepResult {
  status: StepStatus;
  output: unknown;
  attempts: number;
  error: ErrorInfo | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** Shared empty objects until the first write (most steps never log): see `writable*`. */
  metrics: Record<string, number>;
  logs: LogEntry[];
  artifacts: Record<string, ArtifactRef>;
}

/** A run controller's bookkeeping for one step. */
export interface StepState {
  readonly name: string;
  readonly node: StepNode;
  readonly result: MutableStepResult;
  /**
   * Position in the run's static layout (`RunCore.layout`, `RunCore.stateAt`), through which its
   * parents and children are found; -1 for a spawned step, which has neither.
   */
  readonly index: number;
  waitingParents: number;
  params: Params;
  /** The step's cancellation scope while it is handed to its executor (stop, run timeout, abort on failure cancel it). */
  scope: CancellationScope | undefined;
  holdsSlot: boolean;
  /** A direct attempt (see `DirectStep`) is with its executor: the run's cancellation settles it. */
  inFlight: boolean;
  /** Whether the store has seen this step's result object. */
  saved: boolean;
  /** An `onStatusChange` failure, noticed at the step's next checkpoint. */
  callbackError: StepError | undefined;
  /** Last request sent for this step (callbacks get a context built from it). */
  request: StepRequest | undefined;
  /** Spawn callers waiting for this step to end. */
  waiters: Array<(state: StepState) => void> | undefined;
}

/** The params of every step that has none (and of a step until they are resolved): shared, so frozen. */
export const NO_PARAMS: Params = Object.freeze({}) as Params;

const EMPTY_METRICS: Record<string, number> = Object.freeze({}) as Record<string, number>;
const EMPTY_LOGS: LogEntry[] = Object.freeze([]) as unknown as LogEntry[];
const EMPTY_ARTIFACTS: Record<string, ArtifactRef> = Object.freeze({}) as Record<string, ArtifactRef>;

/** A fresh pending result; its collections are shared empties until written. */
export const pendingResult = (): MutableStepResult => ({
  status: 'pending',
  output: undefined,
  attempts: 0,
  error: undefined,
  startedAt: undefined,
  endedAt: undefined,
  metrics: EMPTY_METRICS,
  logs: EMPTY_LOGS,
  artifacts: EMPTY_ARTIFACTS,
});

/** The result's logs, made its own before the first write. */
export const writableLogs = (result: MutableStepResult): LogEntry[] => (result.logs === EMPTY_LOGS ? (result.logs = []) : result.logs);

/** The result's metrics, made its own before the first write. */
export const writableMetrics = (result: MutableStepResult): Record<string, number> =>
  result.metrics === EMPTY_METRICS ? (result.metrics = {}) : result.metrics;

/** The result's artifacts, made its own before the first write. */
export const writableArtifacts = (result: MutableStepResult): Record<string, ArtifactRef> =>
  result.artifacts === EMPTY_ARTIFACTS ? (result.artifacts = {}) : result.artifacts;
