import { isTerminal, statusOfEvent } from '@pipewright/core';
import type { PipelineEvent, RunStatus, StepStatus } from '@pipewright/core';
import { stepLabel } from './describe-event';

/** One step as the live view shows it. */
export interface BoardRow {
  /** `train`, or `prep › clean` inside a nested pipeline. */
  readonly label: string;
  /** 0 for the run's own steps, 1 for a nested pipeline's steps, and so on. */
  readonly depth: number;
  status: StepStatus;
  attempts: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** The latest thing worth showing: a log line, a metric, an error, a skip reason. */
  detail: string | undefined;
}

/**
 * The state of a run as its events tell it: one row per step (the graph's steps from the
 * start, spawned and nested steps as they appear), and how far the run has got.
 */
export class RunBoard {
  readonly rows = new Map<string, BoardRow>();
  pipeline: string;
  version: string;
  runId: string;
  startedAt: number | undefined;
  status: RunStatus | 'running' = 'running';
  elapsedMs: number | undefined;

  constructor(graph: { readonly order: readonly string[] }, header: { pipeline: string; version: string; runId: string }) {
    this.pipeline = header.pipeline;
    this.version = header.version;
    this.runId = header.runId;
    for (const name of graph.order) this.row(name, name, 0);
  }

  /** Folds one event into the board. */
  apply(event: PipelineEvent): void {
    if (event.type === 'run.started') {
      this.startedAt = event.at;
      return;
    }
    if (!('step' in event)) {
      this.status = event.status;
      this.elapsedMs = event.elapsedMs;
      return;
    }
    const depth = Math.max(0, (event.path?.length ?? 1) - 1);
    const row = this.row(event.path?.join('/') ?? event.step, stepLabel(event), depth);
    const status = statusOfEvent(event);
    if (status !== undefined && !(isTerminal(row.status) && status === 'pending')) row.status = status;
    switch (event.type) {
      case 'step.started':
        row.attempts = Math.max(row.attempts, event.attempt);
        row.startedAt ??= event.at;
        row.endedAt = undefined;
        // What an earlier attempt said (its error, its last log line) is stale now.
        row.detail = undefined;
        break;
      case 'step.retrying':
      case 'step.failed':
      case 'step.aborted':
        row.detail = event.error.message;
        if (event.type !== 'step.retrying') row.endedAt = event.at;
        break;
      case 'step.succeeded':
      case 'step.cached':
        row.endedAt = event.at;
        row.detail = undefined;
        break;
      case 'step.skipped':
        row.detail = event.reason;
        row.endedAt = event.at;
        break;
      case 'step.waiting':
      case 'step.log':
        row.detail = event.message;
        break;
      case 'step.metric':
        row.detail = `${event.name}=${event.value}`;
        break;
      default:
        break;
    }
  }

  /**
   * Steps of the run itself (nested pipelines' steps are not counted): finished and all. Once
   * a run is aborted, steps it aborted or skipped on its way out do not count as done: a stopped
   * run with three steps of seven behind it is 3/7, not 7/7.
   */
  progress(): { readonly done: number; readonly total: number } {
    let done = 0;
    let total = 0;
    for (const row of this.rows.values()) {
      if (row.depth > 0) continue;
      total++;
      const ran = row.status === 'succeeded' || row.status === 'cached' || row.status === 'failed';
      if (this.status === 'aborted' ? ran : isTerminal(row.status)) done++;
    }
    return { done, total };
  }

  /** `true` while some step is running or retrying (durations then change by themselves). */
  busy(): boolean {
    for (const row of this.rows.values()) if (row.status === 'running' || row.status === 'retrying') return true;
    return false;
  }

  private row(key: string, label: string, depth: number): BoardRow {
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { label, depth, status: 'pending', attempts: 0, startedAt: undefined, endedAt: undefined, detail: undefined };
      this.rows.set(key, row);
    }
    return row;
  }
}
