import type { StepStatus } from '../model/results';

/**
 * Step statuses for a graph picture, by step name: plain statuses (what `stepStatuses()`
 * emits) or anything with a `status` (a `RunResult`'s `steps`). Names not in the graph are ignored.
 */
export type GraphStatuses = Readonly<Record<string, StepStatus | { readonly status: StepStatus }>>;

/** Fill and stroke of a node in each status; the same palette in Mermaid and DOT. */
export const STATUS_COLOURS: Readonly<Record<StepStatus, { readonly fill: string; readonly stroke: string }>> = {
  pending: { fill: '#f5f5f5', stroke: '#9e9e9e' },
  queued: { fill: '#e8eaf6', stroke: '#5c6bc0' },
  running: { fill: '#fff3cd', stroke: '#f0ad4e' },
  retrying: { fill: '#ffe0b2', stroke: '#fb8c00' },
  waiting: { fill: '#e1f5fe', stroke: '#0288d1' },
  succeeded: { fill: '#d4edda', stroke: '#28a745' },
  cached: { fill: '#d1ecf1', stroke: '#17a2b8' },
  failed: { fill: '#f8d7da', stroke: '#dc3545' },
  skipped: { fill: '#eeeeee', stroke: '#bdbdbd' },
  aborted: { fill: '#f5c6cb', stroke: '#721c24' },
};

/** The status given for a step, if any. */
export const statusIn = (statuses: GraphStatuses | undefined, step: string): StepStatus | undefined => {
  if (statuses === undefined || !Object.prototype.hasOwnProperty.call(statuses, step)) return undefined;
  const entry = statuses[step];
  const status = typeof entry === 'object' && entry !== null ? entry.status : entry;
  return status !== undefined && Object.prototype.hasOwnProperty.call(STATUS_COLOURS, status) ? status : undefined;
};
