import type { ArtifactRef, CacheEntry, ErrorInfo, LogEntry, PipelineEvent, RunRecord, StepResult, StepStatus } from '@pipewright/core';
import { SqliteStoreError } from './errors';

/** A `runs` row as SQLite returns it. */
export interface RunRow {
  readonly run_id: string;
  readonly pipeline: string;
  readonly version: string;
  readonly status: string;
  readonly params: string;
  readonly input: string;
  readonly fingerprint: string;
  readonly started_at: number;
  readonly ended_at: number | null;
  readonly error: string | null;
}

/** A `steps` row as SQLite returns it. */
export interface StepRow {
  readonly step: string;
  readonly status: string;
  readonly output: string | null;
  readonly attempts: number;
  readonly error: string | null;
  readonly started_at: number | null;
  readonly ended_at: number | null;
  readonly metrics: string;
  readonly logs: string;
  readonly artifacts: string;
}

/** A `cache` row as SQLite returns it. */
export interface CacheRow {
  readonly key: string;
  readonly pipeline: string;
  readonly step: string;
  readonly output: string | null;
  readonly artifacts: string;
  readonly created_at: number;
}

const EMPTY_OBJECT = '{}';
const EMPTY_ARRAY = '[]';

const hasKeys = (value: object): boolean => {
  for (const _ in value) return true;
  return false;
};

/**
 * JSON of a value that must come back as it went in. `undefined` is stored as SQL NULL;
 * what `JSON.stringify` cannot write at all (a function at the top, a cycle, a BigInt) is a
 * `NOT_SERIALIZABLE` error rather than a silently different value. Finer checks (class
 * instances, non-finite numbers deep inside) are the engine's, before a step's output
 * reaches a durable store.
 */
export const encodeValue = (value: unknown, what: string): string | null => {
  if (value === undefined) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new SqliteStoreError('NOT_SERIALIZABLE', `Cannot store ${what} as JSON: ${error instanceof Error ? error.message : String(error)}.`, {
      cause: error,
    });
  }
  if (json === undefined) throw new SqliteStoreError('NOT_SERIALIZABLE', `Cannot store ${what} as JSON: it is ${typeof value}.`);
  return json;
};

const decodeValue = (json: string | null): unknown => (json === null ? undefined : JSON.parse(json));

/** Metrics are numbers, and NaN or ±Infinity are legitimate ones: kept as strings, which JSON does not mangle. */
const encodeMetrics = (metrics: Readonly<Record<string, number>>): string => {
  if (!hasKeys(metrics)) return EMPTY_OBJECT;
  let faithful = true;
  for (const name in metrics) if (!Number.isFinite(metrics[name])) faithful = false;
  if (faithful) return JSON.stringify(metrics);
  const encoded: Record<string, number | string> = {};
  for (const name in metrics) {
    const value = metrics[name] as number;
    encoded[name] = Number.isFinite(value) ? value : String(value);
  }
  return JSON.stringify(encoded);
};

const decodeMetrics = (json: string): Record<string, number> => {
  if (json === EMPTY_OBJECT) return {};
  const metrics = JSON.parse(json) as Record<string, number | string>;
  for (const name in metrics) {
    const value = metrics[name];
    if (typeof value === 'string') metrics[name] = Number(value);
  }
  return metrics as Record<string, number>;
};

const encodeObject = (value: object, what: string): string => (hasKeys(value) ? (encodeValue(value, what) as string) : EMPTY_OBJECT);

/** Bind parameters of the steps upsert (`StepTable.save`), in its order: the run id last. */
export const stepParams = (runId: string, step: string, position: number, result: StepResult): unknown[] => [
  position,
  step,
  result.status,
  encodeValue(result.output, `the output of step '${step}' (run ${runId})`),
  result.attempts,
  result.error === undefined ? null : JSON.stringify(result.error),
  result.startedAt ?? null,
  result.endedAt ?? null,
  encodeMetrics(result.metrics),
  result.logs.length === 0 ? EMPTY_ARRAY : JSON.stringify(result.logs),
  encodeObject(result.artifacts, `the artifacts of step '${step}'`),
  runId,
];

/** A stored step, as the engine saved it. */
export const stepFromRow = (row: StepRow): StepResult => ({
  status: row.status as StepStatus,
  output: decodeValue(row.output),
  attempts: row.attempts,
  error: decodeValue(row.error) as ErrorInfo | undefined,
  startedAt: row.started_at ?? undefined,
  endedAt: row.ended_at ?? undefined,
  metrics: decodeMetrics(row.metrics),
  logs: row.logs === EMPTY_ARRAY ? [] : (JSON.parse(row.logs) as LogEntry[]),
  artifacts: row.artifacts === EMPTY_OBJECT ? {} : (JSON.parse(row.artifacts) as Record<string, ArtifactRef>),
});

/** Bind parameters of the runs upsert, in column order. */
export const runParams = (run: RunRecord): unknown[] => [
  run.runId,
  run.pipeline,
  run.version,
  run.status,
  encodeObject(run.params, `the params of run ${run.runId}`),
  encodeObject(run.input, `the input of run ${run.runId}`),
  encodeObject(run.fingerprint, `the fingerprint of run ${run.runId}`),
  run.startedAt,
  run.endedAt ?? null,
  run.error === undefined ? null : JSON.stringify(run.error),
];

/** A stored run record. */
export const runFromRow = (row: RunRow): RunRecord => ({
  runId: row.run_id,
  pipeline: row.pipeline,
  version: row.version,
  params: JSON.parse(row.params) as Record<string, unknown>,
  input: JSON.parse(row.input) as Record<string, unknown>,
  fingerprint: JSON.parse(row.fingerprint) as Record<string, string>,
  status: row.status as RunRecord['status'],
  startedAt: row.started_at,
  endedAt: row.ended_at ?? undefined,
  error: decodeValue(row.error) as ErrorInfo | undefined,
});

/** An event's JSON, as the journal keeps it. */
export const eventJson = (event: PipelineEvent): string => encodeValue(event, `the ${event.type} event of run ${event.runId}`) as string;

/** Bind parameters of the cache upsert, in column order. */
export const cacheParams = (entry: CacheEntry): unknown[] => [
  entry.key,
  entry.pipeline,
  entry.step,
  encodeValue(entry.output, `the cached output of step '${entry.step}'`),
  encodeObject(entry.artifacts, `the cached artifacts of step '${entry.step}'`),
  entry.createdAt,
];

/** A stored cache entry. */
export const cacheFromRow = (row: CacheRow): CacheEntry => ({
  key: row.key,
  pipeline: row.pipeline,
  step: row.step,
  output: decodeValue(row.output),
  artifacts: row.artifacts === EMPTY_OBJECT ? {} : (JSON.parse(row.artifacts) as Record<string, ArtifactRef>),
  createdAt: row.created_at,
});
