import type { ArtifactRef, CacheEntry, ErrorInfo, LogEntry, PipelineEvent, RunRecord, RunSummary, StepResult, StepStatus } from '@pipewright/core';
import { PostgresStoreError } from './errors';

/** A `runs` row as it is written (in a commit's JSON) and read back. BIGINTs read back as strings. */
export interface RunRow {
  readonly run_id: string;
  readonly pipeline: string;
  readonly version: string;
  readonly status: string;
  readonly params: string;
  readonly input: string;
  readonly fingerprint: string;
  readonly started_at: number | string;
  readonly ended_at: number | string | null;
  readonly error: string | null;
}

/** A `steps` row. */
export interface StepRow {
  readonly run_id: string;
  readonly step: string;
  readonly status: string;
  readonly output: string | null;
  readonly attempts: number;
  readonly error: string | null;
  readonly started_at: number | string | null;
  readonly ended_at: number | string | null;
  readonly metrics: string;
  readonly logs: string;
  readonly artifacts: string;
}

/** An `events` row (its `seq` is given when the commit is sent). */
export interface EventRow {
  readonly run_id: string;
  seq: number;
  readonly type: string;
  readonly step: string | null;
  readonly at: number;
  readonly body: string;
}

/** A `cache` row. */
export interface CacheRow {
  readonly key: string;
  readonly pipeline: string;
  readonly step: string;
  readonly output: string | null;
  readonly artifacts: string;
  readonly created_at: number | string;
}

const num = (value: number | string): number => (typeof value === 'number' ? value : Number(value));
const optionalNum = (value: number | string | null): number | undefined => (value === null ? undefined : num(value));

/**
 * JSON of a value that must come back as it went in; `undefined` is SQL NULL. What
 * `JSON.stringify` cannot write at all (a cycle, a BigInt, a function at the top) is a
 * `NOT_SERIALIZABLE` error rather than a silently different value; finer checks are the engine's.
 */
export const encodeValue = (value: unknown, what: string): string | null => {
  if (value === undefined) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new PostgresStoreError('NOT_SERIALIZABLE', `Cannot store ${what} as JSON: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  if (json === undefined) throw new PostgresStoreError('NOT_SERIALIZABLE', `Cannot store ${what} as JSON: it is ${typeof value}.`);
  return json;
};

const decodeValue = (json: string | null): unknown => (json === null ? undefined : JSON.parse(json));

/** Metric values NaN and ±Infinity are legitimate: kept as strings, which JSON does not mangle. */
const encodeMetrics = (metrics: Readonly<Record<string, number>>): string =>
  JSON.stringify(metrics, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));

const decodeMetrics = (json: string): Record<string, number> => {
  const metrics = JSON.parse(json) as Record<string, number | string>;
  for (const name in metrics) if (typeof metrics[name] === 'string') metrics[name] = Number(metrics[name]);
  return metrics as Record<string, number>;
};

/** The row of a step's current state. */
export const stepRow = (runId: string, step: string, result: StepResult): StepRow => ({
  run_id: runId,
  step,
  status: result.status,
  output: encodeValue(result.output, `the output of step '${step}' (run ${runId})`),
  attempts: result.attempts,
  error: result.error === undefined ? null : JSON.stringify(result.error),
  started_at: result.startedAt ?? null,
  ended_at: result.endedAt ?? null,
  metrics: encodeMetrics(result.metrics),
  logs: JSON.stringify(result.logs),
  artifacts: encodeValue(result.artifacts, `the artifacts of step '${step}'`) as string,
});

/** A stored step, as the engine saved it. */
export const stepFromRow = (row: StepRow): StepResult => ({
  status: row.status as StepStatus,
  output: decodeValue(row.output),
  attempts: row.attempts,
  error: decodeValue(row.error) as ErrorInfo | undefined,
  startedAt: optionalNum(row.started_at),
  endedAt: optionalNum(row.ended_at),
  metrics: decodeMetrics(row.metrics),
  logs: JSON.parse(row.logs) as LogEntry[],
  artifacts: JSON.parse(row.artifacts) as Record<string, ArtifactRef>,
});

/** The row of a run's record. */
export const runRow = (run: RunRecord): RunRow => ({
  run_id: run.runId,
  pipeline: run.pipeline,
  version: run.version,
  status: run.status,
  params: encodeValue(run.params, `the params of run ${run.runId}`) as string,
  input: encodeValue(run.input, `the input of run ${run.runId}`) as string,
  fingerprint: encodeValue(run.fingerprint, `the fingerprint of run ${run.runId}`) as string,
  started_at: run.startedAt,
  ended_at: run.endedAt ?? null,
  error: run.error === undefined ? null : JSON.stringify(run.error),
});

/** A stored run record. */
export const runFromRow = (row: RunRow): RunRecord => ({
  runId: row.run_id,
  pipeline: row.pipeline,
  version: row.version,
  params: JSON.parse(row.params) as Record<string, unknown>,
  input: JSON.parse(row.input) as Record<string, unknown>,
  fingerprint: JSON.parse(row.fingerprint) as Record<string, string>,
  status: row.status as RunRecord['status'],
  startedAt: num(row.started_at),
  endedAt: optionalNum(row.ended_at),
  error: decodeValue(row.error) as ErrorInfo | undefined,
});

/** One line of the history. */
export const summaryFromRow = (row: RunRow): RunSummary => ({
  runId: row.run_id,
  pipeline: row.pipeline,
  version: row.version,
  status: row.status as RunSummary['status'],
  startedAt: num(row.started_at),
  endedAt: optionalNum(row.ended_at),
});

/** The row of a journaled event; `seq` is set when its commit is sent. */
export const eventRow = (event: PipelineEvent): EventRow => ({
  run_id: event.runId,
  seq: 0,
  type: event.type,
  step: 'step' in event ? event.step : null,
  at: event.at,
  body: encodeValue(event, `the ${event.type} event of run ${event.runId}`) as string,
});

/** The row of a cache entry. */
export const cacheRow = (entry: CacheEntry): CacheRow => ({
  key: entry.key,
  pipeline: entry.pipeline,
  step: entry.step,
  output: encodeValue(entry.output, `the cached output of step '${entry.step}'`),
  artifacts: encodeValue(entry.artifacts, `the cached artifacts of step '${entry.step}'`) as string,
  created_at: entry.createdAt,
});

/** A stored cache entry. */
export const cacheFromRow = (row: CacheRow): CacheEntry => ({
  key: row.key,
  pipeline: row.pipeline,
  step: row.step,
  output: decodeValue(row.output),
  artifacts: JSON.parse(row.artifacts) as Record<string, ArtifactRef>,
  createdAt: num(row.created_at),
});
