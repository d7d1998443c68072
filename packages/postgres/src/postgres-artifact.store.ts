import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ArtifactInput, ArtifactRef, ArtifactStore } from '@pipewright/core';
import { describeFailure, PostgresStoreError } from './errors';

/**
 * Artifact bytes in the database itself (`BYTEA`, once per content hash) with each stored
 * blob's metadata: every controller and agent that reaches the database reaches the bytes,
 * without a shared disk. For large data pass another `ArtifactStore` (`artifacts` option).
 */
export class PostgresArtifactStore implements ArtifactStore {
  private readonly insert: string;
  private readonly select: string;

  /**
   * @param ready resolves once the store's schema exists (every call waits for it)
   */
  constructor(
    private readonly pool: Pool,
    quotedSchema: string,
    private readonly schema: string,
    private readonly ready: () => Promise<void>,
  ) {
    // One statement: the bytes (unless the same content is there already) and the record, atomically.
    this.insert = `WITH blob AS (INSERT INTO ${quotedSchema}.blobs (hash, data) VALUES ($5, $7) ON CONFLICT (hash) DO NOTHING)
      INSERT INTO ${quotedSchema}.artifacts (id, run_id, step, name, hash, size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $8)`;
    this.select = `SELECT data FROM ${quotedSchema}.blobs WHERE hash = $1`;
  }

  async put({ runId, step, name, data }: ArtifactInput): Promise<ArtifactRef> {
    const ref: ArtifactRef = { id: randomUUID(), name, step, runId, hash: createHash('sha256').update(data).digest('hex'), size: data.byteLength };
    await this.ready();
    try {
      await this.pool.query(this.insert, [ref.id, runId, step, name, ref.hash, ref.size, Buffer.from(data.buffer, data.byteOffset, data.byteLength), Date.now()]);
    } catch (error) {
      throw describeFailure(error, `storing artifact '${name}' of step '${step}' (run ${runId})`, this.schema);
    }
    return ref;
  }

  async get(ref: ArtifactRef): Promise<Buffer> {
    let rows: Array<{ data: Buffer }>;
    await this.ready();
    try {
      ({ rows } = await this.pool.query<{ data: Buffer }>(this.select, [ref.hash]));
    } catch (error) {
      throw describeFailure(error, `reading artifact '${ref.name}' of step '${ref.step}'`, this.schema);
    }
    if (rows[0] === undefined) {
      throw new PostgresStoreError('QUERY_FAILED', `Artifact '${ref.name}' of step '${ref.step}' (run ${ref.runId}) is not in the database: no blob ${ref.hash}.`, { schema: this.schema });
    }
    return rows[0].data;
  }
}
