import { distinctUntilChanged, map, startWith } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent } from '../model/events';
import type { PipelineGraph } from '../graph/pipeline-graph';
import { stepStatuses } from './step-statuses';
import type { StepStatuses } from './step-statuses';

/** How far a run has come, in steps. */
export interface Progress {
  /** Steps known: the graph's, if one was given, plus every step seen in the events (spawned ones too). */
  readonly total: number;
  /** Steps that have ended: `succeeded + failed + skipped`. */
  readonly done: number;
  /** Succeeded or cached. */
  readonly succeeded: number;
  /** Failed or aborted. */
  readonly failed: number;
  readonly skipped: number;
  /** Running or retrying. */
  readonly running: number;
}

const count = (statuses: StepStatuses, graph: PipelineGraph | undefined): Progress => {
  let succeeded = 0;
  let failed = 0;
  let skipped = 0;
  let running = 0;
  let unseen = 0;
  if (graph) for (const node of graph) if (!(node.name in statuses)) unseen++;
  for (const status of Object.values(statuses)) {
    if (status === 'succeeded' || status === 'cached') succeeded++;
    else if (status === 'failed' || status === 'aborted') failed++;
    else if (status === 'skipped') skipped++;
    else if (status === 'running' || status === 'retrying') running++;
  }
  const total = Object.keys(statuses).length + unseen;
  return { total, done: succeeded + failed + skipped, succeeded, failed, skipped, running };
};

const same = (a: Progress, b: Progress): boolean =>
  a.total === b.total && a.succeeded === b.succeeded && a.failed === b.failed && a.skipped === b.skipped && a.running === b.running;

/**
 * Step counts as the run advances, emitted whenever one of them changes (a step entering
 * `queued` changes none). Counts cover the run's own steps; a nested pipeline counts as its
 * one step. Steps are only known once an event names them, so pass the run's graph
 * (`progress(run.graph)`) for a `total` that is right from the start: then the first emission,
 * on subscription, is all zeros out of `graph.size`.
 *
 * ```ts
 * run.events$.pipe(progress(run.graph)).subscribe((p) => bar.update(p.done / p.total));
 * ```
 */
export const progress = (graph?: PipelineGraph): OperatorFunction<PipelineEvent, Progress> => (source) => {
  const statuses = source.pipe(stepStatuses());
  return (graph ? statuses.pipe(startWith({})) : statuses).pipe(
    map((current) => count(current, graph)),
    distinctUntilChanged(same),
  );
};
