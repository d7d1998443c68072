import type Database from 'better-sqlite3';
import type { HistoryQuery, RunSummary } from '@pipewright/core';
import { SqliteStoreError } from './errors';
import type { RunRow } from './rows';

/** A prepared statement taking positional parameters. */
export type Statement = Database.Statement<unknown[]>;

export const RUN_COLUMNS = 'run_id, pipeline, version, status, params, input, fingerprint, started_at, ended_at, error';

/** The statements the store runs, prepared once per connection. */
export interface Statements {
  readonly upsertRun: Statement;
  readonly endRun: Statement;
  readonly upsertCache: Statement;
  readonly selectCache: Statement;
  readonly selectRun: Statement;
  readonly insertArtifact: Statement;
}

/** Prepares {@link Statements} on a connection whose schema is current. */
export const prepareStatements = (db: Database.Database): Statements => ({
  upsertRun: db.prepare<unknown[]>(
    // A new run takes the next num (its rowid, schema 5), which keys its journal and step rows; a resumed one keeps its own.
    `INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET pipeline = excluded.pipeline, version = excluded.version, status = excluded.status,
       params = excluded.params, input = excluded.input, fingerprint = excluded.fingerprint,
       started_at = excluded.started_at, ended_at = excluded.ended_at, error = excluded.error`,
  ),
  endRun: db.prepare<unknown[]>('UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE run_id = ?'),
  upsertCache: db.prepare<unknown[]>(
    `INSERT INTO cache (key, pipeline, step, output, artifacts, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET pipeline = excluded.pipeline, step = excluded.step, output = excluded.output,
       artifacts = excluded.artifacts, created_at = excluded.created_at`,
  ),
  selectCache: db.prepare<unknown[]>('SELECT * FROM cache WHERE key = ?'),
  selectRun: db.prepare<unknown[]>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`),
  insertArtifact: db.prepare<unknown[]>('INSERT OR IGNORE INTO artifacts (id, run_id, step, name, hash, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
});

/** `history()` queries, one prepared statement per combination of filters. */
export class HistoryStatements {
  private readonly prepared = new Map<string, Statement>();

  constructor(private readonly db: Database.Database) {}

  get(byPipeline: boolean, byStatus: boolean): Statement {
    const key = `${byPipeline ? 'p' : ''}${byStatus ? 's' : ''}`;
    let statement = this.prepared.get(key);
    if (statement === undefined) {
      const where = [byPipeline ? 'pipeline = ?' : undefined, byStatus ? 'status = ?' : undefined].filter(Boolean).join(' AND ');
      statement = this.db.prepare<unknown[]>(`SELECT ${RUN_COLUMNS} FROM runs ${where === '' ? '' : `WHERE ${where}`} ORDER BY started_at DESC, num DESC LIMIT ?`);
      this.prepared.set(key, statement);
    }
    return statement;
  }

  /** Runs matching the query, newest first. Throws `INVALID_OPTION` for a bad limit. */
  list(query: HistoryQuery): RunSummary[] {
    const { pipeline, status, limit } = query;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new SqliteStoreError('INVALID_OPTION', `History limit must be an integer ≥ 0, got ${String(limit)}.`);
    }
    const params: unknown[] = [];
    if (pipeline !== undefined) params.push(pipeline);
    if (status !== undefined) params.push(status);
    params.push(limit ?? -1);
    const rows = this.get(pipeline !== undefined, status !== undefined).all(params) as RunRow[];
    return rows.map((row) => ({
      runId: row.run_id,
      pipeline: row.pipeline,
      version: row.version,
      status: row.status as RunSummary['status'],
      startedAt: row.started_at,
      endedAt: row.ended_at ?? undefined,
    }));
  }
}
