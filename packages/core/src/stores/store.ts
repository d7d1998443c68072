import type { PipelineEvent } from '../engine/events';
import type { ErrorInfo, RunStatus, StepResult } from '../engine/results';
import type { ArtifactStore } from './artifact-store';

/** A run as a store keeps it. `status` is `running` until the run ends. */
export interface RunRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: RunStatus | 'running';
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly error: ErrorInfo | undefined;
}

/** One line of `engine.history()`. */
export interface RunSummary {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly status: RunStatus | 'running';
  readonly startedAt: number;
  readonly endedAt: number | undefined;
}

/** Filters of `engine.history()`; newest first. */
export interface HistoryQuery {
  readonly pipeline?: string;
  readonly status?: RunStatus | 'running';
  readonly limit?: number;
}

/** A stored run with its steps. */
export interface StoredRun {
  readonly run: RunRecord;
  readonly steps: Readonly<Record<string, StepResult>>;
}

/**
 * Where runs, steps, outputs and artifacts are kept. Writes are synchronous so that the
 * engine can commit every state change before it publishes the event for it; embedded
 * stores (memory, SQLite) answer at once.
 */
export interface RunStore {
  /** Bytes of artifacts. */
  readonly artifacts: ArtifactStore;
  /** Records a run that starts. */
  beginRun(run: RunRecord): void;
  /** Records a step's current state (called on every status change). */
  saveStep(runId: string, step: string, result: StepResult): void;
  /** Records how a run ended. */
  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void;
  /** Journals an event after the state change it reports is saved; optional. */
  appendEvent?(event: PipelineEvent): void;
  /** A run with its steps, or `undefined`. */
  getRun(runId: string): StoredRun | undefined;
  /** Runs matching the query, newest first. */
  listRuns(query?: HistoryQuery): RunSummary[];
  /** Releases files, connections and timers. */
  close(): Promise<void>;
}
