import type { Pool } from 'pg';
import type { CacheEntry, HistoryQuery, RunSummary, StoredRun } from '@pipewright/core';
import { cacheFromRow, runFromRow, stepFromRow, summaryFromRow } from './rows';
import type { CacheRow, RunRow, StepRow } from './rows';

const RUN_COLUMNS = 'run_id, pipeline, version, status, params, input, fingerprint, started_at, ended_at, error';

/** The reads of runs, history and cache, each prepared once per store. */
export class Queries {
  private readonly run: string;
  private readonly steps: string;
  private readonly cache: string;
  private readonly history: string;

  constructor(
    private readonly pool: Pool,
    s: string,
  ) {
    this.run = `SELECT ${RUN_COLUMNS} FROM ${s}.runs WHERE run_id = $1`;
    this.steps = `SELECT run_id, step, status, output, attempts, error, started_at, ended_at, metrics, logs, artifacts
      FROM ${s}.steps WHERE run_id = $1 ORDER BY position`;
    this.cache = `SELECT key, pipeline, step, output, artifacts, created_at FROM ${s}.cache WHERE key = $1`;
    this.history = `SELECT ${RUN_COLUMNS} FROM ${s}.runs WHERE ($1::text IS NULL OR pipeline = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY started_at DESC, created DESC LIMIT $3`;
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    const run = await this.pool.query<RunRow>(this.run, [runId]);
    if (run.rows[0] === undefined) return undefined;
    const steps = await this.pool.query<StepRow>(this.steps, [runId]);
    // fromEntries defines own properties: a step named `__proto__` stays a step.
    return { run: runFromRow(run.rows[0]), steps: Object.fromEntries(steps.rows.map((row) => [row.step, stepFromRow(row)])) };
  }

  async listRuns({ pipeline, status, limit }: HistoryQuery): Promise<RunSummary[]> {
    const { rows } = await this.pool.query<RunRow>(this.history, [pipeline ?? null, status ?? null, limit ?? null]);
    return rows.map(summaryFromRow);
  }

  async getCache(key: string): Promise<CacheEntry | undefined> {
    const { rows } = await this.pool.query<CacheRow>(this.cache, [key]);
    return rows[0] && cacheFromRow(rows[0]);
  }
}
