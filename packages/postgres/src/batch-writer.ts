import type { Pool } from 'pg';
import { describeFailure } from './errors';
import { withRetries } from './retry';
import type { Batch } from './staged';

/**
 * The one statement that applies a batch: data-modifying CTEs over one JSON parameter, so a
 * commit is one round trip and (a single statement) one transaction. Every part is idempotent:
 * upserts of whole rows, events inserted by their position (`ON CONFLICT DO NOTHING`), consumed
 * signals deleted by id. So a batch whose connection broke before the reply can be sent again
 * without doubling anything.
 * The NOTIFY for each run with new events is delivered when the statement commits.
 */
const commitStatement = (s: string): string => `
WITH b AS (SELECT $1::json AS j),
r AS (
  INSERT INTO ${s}.runs (run_id, pipeline, version, status, params, input, fingerprint, started_at, ended_at, error)
  SELECT x.* FROM b, json_to_recordset(b.j->'runs') AS x(run_id text, pipeline text, version text, status text, params text,
    input text, fingerprint text, started_at bigint, ended_at bigint, error text)
  ON CONFLICT (run_id) DO UPDATE SET pipeline = excluded.pipeline, version = excluded.version, status = excluded.status,
    params = excluded.params, input = excluded.input, fingerprint = excluded.fingerprint, started_at = excluded.started_at,
    ended_at = excluded.ended_at, error = excluded.error
),
e AS (
  UPDATE ${s}.runs SET status = x.status, ended_at = x.ended_at, error = x.error
  FROM b, json_to_recordset(b.j->'ends') AS x(run_id text, status text, ended_at bigint, error text)
  WHERE runs.run_id = x.run_id
),
st AS (
  INSERT INTO ${s}.steps (run_id, step, status, output, attempts, error, started_at, ended_at, metrics, logs, artifacts)
  SELECT x.* FROM b, json_to_recordset(b.j->'steps') AS x(run_id text, step text, status text, output text, attempts integer,
    error text, started_at bigint, ended_at bigint, metrics text, logs text, artifacts text)
  ON CONFLICT (run_id, step) DO UPDATE SET status = excluded.status, output = excluded.output, attempts = excluded.attempts,
    error = excluded.error, started_at = excluded.started_at, ended_at = excluded.ended_at, metrics = excluded.metrics,
    logs = excluded.logs, artifacts = excluded.artifacts
),
ev AS (
  INSERT INTO ${s}.events (run_id, seq, type, step, at, body)
  SELECT x.* FROM b, json_to_recordset(b.j->'events') AS x(run_id text, seq integer, type text, step text, at bigint, body text)
  ON CONFLICT (run_id, seq) DO NOTHING
),
c AS (
  INSERT INTO ${s}.cache (key, pipeline, step, output, artifacts, created_at)
  SELECT x.* FROM b, json_to_recordset(b.j->'cache') AS x(key text, pipeline text, step text, output text, artifacts text, created_at bigint)
  ON CONFLICT (key) DO UPDATE SET pipeline = excluded.pipeline, step = excluded.step, output = excluded.output,
    artifacts = excluded.artifacts, created_at = excluded.created_at
),
d AS (
  DELETE FROM ${s}.stop_requests WHERE run_id IN (SELECT x.run_id FROM b, json_to_recordset(b.j->'stops') AS x(run_id text))
),
w AS (
  INSERT INTO ${s}.step_waits (run_id, step, seq, record)
  SELECT x.* FROM b, json_to_recordset(b.j->'waits') AS x(run_id text, step text, seq integer, record text)
  ON CONFLICT (run_id, step, seq) DO UPDATE SET record = excluded.record
),
-- A signal delivered to a wait is consumed by the commit that records the wait: both or neither.
sg AS (
  DELETE FROM ${s}.signals WHERE id IN (SELECT x.id FROM b, json_to_recordset(b.j->'consumed') AS x(id bigint))
)
SELECT pg_notify($2, x.run_id) FROM (SELECT DISTINCT x.run_id FROM b, json_to_recordset(b.j->'events') AS x(run_id text)) AS x`;

/**
 * Sends batches: gives each event its position in its run's journal, then applies the batch in
 * one statement, again on a fresh connection when the connection fails (up to `retries` times).
 */
export class BatchWriter {
  private readonly statement: string;
  private readonly lastSeq: string;
  /** The last journal position of each run this store writes; read from the database the first time. */
  private readonly seqs = new Map<string, number>();

  constructor(
    private readonly pool: Pool,
    quotedSchema: string,
    private readonly schema: string,
    private readonly channel: string,
    private readonly retries: number,
  ) {
    this.statement = commitStatement(quotedSchema);
    this.lastSeq = `SELECT run_id, MAX(seq) AS seq FROM ${quotedSchema}.events WHERE run_id = ANY($1::text[]) GROUP BY run_id`;
  }

  /** The run's journal is read again before its next event: it was begun again, or has ended. */
  forget(runId: string): void {
    this.seqs.delete(runId);
  }

  async send(batch: Batch): Promise<void> {
    try {
      await this.number(batch);
      const payload = JSON.stringify(batch);
      await withRetries(() => this.pool.query(this.statement, [payload, this.channel]), this.retries);
    } catch (error) {
      // Positions given to events that did not land are taken back: the next batch reads them again.
      for (const event of batch.events) this.seqs.delete(event.run_id);
      throw describeFailure(error, `committing ${batch.events.length} events and ${batch.steps.length} step states`, this.schema);
    }
    for (const event of batch.events) {
      if (event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.aborted') this.seqs.delete(event.run_id);
    }
  }

  /** Numbers the batch's events after each run's last journaled position. */
  private async number(batch: Batch): Promise<void> {
    const unknown = new Set<string>();
    for (const event of batch.events) if (!this.seqs.has(event.run_id)) unknown.add(event.run_id);
    if (unknown.size > 0) {
      const { rows } = await withRetries(() => this.pool.query<{ run_id: string; seq: number }>(this.lastSeq, [[...unknown]]), this.retries);
      for (const runId of unknown) this.seqs.set(runId, 0);
      for (const row of rows) this.seqs.set(row.run_id, Number(row.seq));
    }
    for (const event of batch.events) {
      const seq = (this.seqs.get(event.run_id) as number) + 1;
      this.seqs.set(event.run_id, seq);
      event.seq = seq;
    }
  }
}
