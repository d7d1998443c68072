import type { HistoryQuery, RunSummary } from '@pipewright/core';
import type { DashboardEngine } from '../dashboard-engine';
import type { RunPage, RunRow } from '../view-model';

/** Rows per page unless the query says otherwise, and the most a query may ask for. */
export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

const STATUSES = new Set(['running', 'succeeded', 'failed', 'aborted']);

/** `?pipeline=&status=&offset=&limit=`, checked. Unknown or malformed values are an error message. */
export interface RunsQuery {
  readonly pipeline: string | undefined;
  readonly status: HistoryQuery['status'];
  readonly offset: number;
  readonly limit: number;
}

const integer = (raw: string | null, fallback: number, min: number, max: number, name: string): number | string => {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) return `'${name}' must be an integer from ${min} to ${max}, got '${raw}'.`;
  return value;
};

/** Reads the list's query string; a string is the reason it is invalid. */
export const parseRunsQuery = (search: URLSearchParams): RunsQuery | string => {
  const status = search.get('status') || undefined;
  if (status !== undefined && !STATUSES.has(status)) return `'status' must be one of ${[...STATUSES].join(', ')}, got '${status}'.`;
  const offset = integer(search.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER, 'offset');
  if (typeof offset === 'string') return offset;
  const limit = integer(search.get('limit'), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, 'limit');
  if (typeof limit === 'string') return limit;
  return { pipeline: search.get('pipeline') || undefined, status: status as HistoryQuery['status'], offset, limit };
};

const rowOf = (run: RunSummary): RunRow => ({
  runId: run.runId,
  pipeline: run.pipeline,
  version: run.version,
  status: run.status,
  startedAt: run.startedAt,
  endedAt: run.endedAt ?? null,
});

/**
 * One page of runs, newest first. The store's history has a limit but no offset, so a page
 * asks for everything up to its end (plus one row, to know whether more follow) and keeps its
 * slice: reading a few thousand summaries from SQLite costs milliseconds, and the browser only
 * ever receives one page.
 */
export const listRuns = async (engine: DashboardEngine, query: RunsQuery): Promise<RunPage> => {
  const upTo = query.offset + query.limit;
  const runs = await engine.history({
    ...(query.pipeline === undefined ? {} : { pipeline: query.pipeline }),
    ...(query.status === undefined ? {} : { status: query.status }),
    limit: upTo + 1,
  });
  return { runs: runs.slice(query.offset, upTo).map(rowOf), offset: query.offset, limit: query.limit, more: runs.length > upTo };
};

/** Names of the pipelines that have runs, sorted: the options of the pipeline filter. */
export const listPipelines = async (engine: DashboardEngine): Promise<string[]> => {
  const names = new Set<string>();
  for (const run of await engine.history()) names.add(run.pipeline);
  return [...names].sort((a, b) => a.localeCompare(b));
};
