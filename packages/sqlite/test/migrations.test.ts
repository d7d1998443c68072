import Database from 'better-sqlite3';
import type { PipelineEvent } from '@pipewright/core';
import { SCHEMA_VERSION, SqliteStore, SqliteStoreError } from '@pipewright/sqlite';
import { migrate, migrations } from '../src/migrations';
import type { Migration } from '../src/migrations';
import { HistoryStatements } from '../src/statements';
import { useTempDir, withConnection } from './support/temp-dir';

const versionOf = (path: string): number => withConnection(path, (db) => db.pragma('user_version', { simple: true }) as number);
const tablesOf = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

describe('schema migrations', () => {
  const dir = useTempDir();

  it('creates a new database at the current schema version with every table', async () => {
    const store = new SqliteStore({ path: dir.file('runs.db') });
    await store.close();
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(versionOf(dir.file('runs.db'))).toBe(SCHEMA_VERSION);
    expect(withConnection(dir.file('runs.db'), tablesOf)).toEqual(['artifacts', 'cache', 'journal', 'leases', 'runs', 'schedule_ticks', 'schedules', 'signals', 'step_waits', 'steps', 'stop_requests']);
  });

  it('upgrades a version-1 file: its leases keep their owner and expiry, with no host or pid known', async () => {
    const path = dir.file('v1.db');
    const old = new Database(path);
    migrate(old, migrations.slice(0, 1), path);
    old.prepare('INSERT INTO leases (run_id, owner, expires_at) VALUES (?, ?, ?)').run('r1', 'old-engine', 4_000_000_000_000);
    old.close();
    const store = new SqliteStore({ path });
    expect(store.readLease('r1')).toEqual({ owner: 'old-engine', host: '', pid: 0, expiresAt: 4_000_000_000_000 });
    await store.close();
    expect(versionOf(path)).toBe(SCHEMA_VERSION);
  });

  it('upgrades a version-4 file: runs keep their num, signals and step waits, leases are kept and work as before', async () => {
    const path = dir.file('v4.db');
    const old = new Database(path);
    migrate(old, migrations.slice(0, 4), path);
    old.prepare('INSERT INTO leases (run_id, owner, expires_at, host, pid) VALUES (?, ?, ?, ?, ?)').run('r1', 'old-engine', 4_000_000_000_000, 'h', 7);
    old.prepare("INSERT INTO runs (run_id, pipeline, version, status, params, input, fingerprint, started_at, num) VALUES ('r1', 'p', '1', 'running', '{}', '{}', '{}', 1, 1)").run();
    old.prepare("INSERT INTO signals (run_id, name, payload, sent_at) VALUES ('r1', 'go', '1', 2)").run();
    old.prepare(`INSERT INTO step_waits (run_id, step, seq, record) VALUES ('r1', 'a', 0, '{"kind":"sleep","until":5}')`).run();
    old.close();
    const store = new SqliteStore({ path });
    // The rebuilt runs table keeps the run, and what references it (not cascaded away).
    expect(store.getRun('r1')?.run.status).toBe('running');
    expect(store.readSignal('r1', 'go')).toMatchObject({ name: 'go', payload: 1 });
    expect(store.readWaits('r1', 'a')).toEqual([{ seq: 0, record: { kind: 'sleep', until: 5 } }]);
    store.beginRun({ runId: 'r2', pipeline: 'p', version: '1', params: {}, input: {}, fingerprint: {}, status: 'running', startedAt: 3, endedAt: undefined, error: undefined });
    store.commit();
    expect(withConnection(path, (db) => db.prepare("SELECT num FROM runs WHERE run_id = 'r2'").pluck().get())).toBe(2);
    expect(store.readLease('r1')).toEqual({ owner: 'old-engine', host: 'h', pid: 7, expiresAt: 4_000_000_000_000 });
    expect(store.acquireLease('r1', { owner: 'new-engine', host: 'h', pid: 8 }, 1_000).owner).toBe('old-engine');
    store.releaseLease('r1', 'old-engine');
    expect(store.readLease('r1')).toBeUndefined();
    await store.close();
    expect(versionOf(path)).toBe(SCHEMA_VERSION);
    expect(withConnection(path, (db) => db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'leases'").pluck().get())).toContain('WITHOUT ROWID');
  });

  it('answers every history query from an index, in order: nothing sorted, whatever the filters', async () => {
    const path = dir.file('plans.db');
    await new SqliteStore({ path }).close();
    const plans = withConnection(path, (db) => {
      const history = new HistoryStatements(db);
      return [false, true].flatMap((byPipeline) =>
        [false, true].map((byStatus) => {
          const sql = history.get(byPipeline, byStatus).source;
          const params = [...(byPipeline ? ['p'] : []), ...(byStatus ? ['running'] : []), 10];
          return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail).join('; ');
        }),
      );
    });
    expect(plans).toEqual([
      'SCAN runs USING INDEX runs_by_time',
      'SCAN runs USING INDEX runs_by_time',
      'SEARCH runs USING INDEX runs_by_pipeline (pipeline=?)',
      'SEARCH runs USING INDEX runs_by_pipeline (pipeline=?)',
    ]);
  });

  it('upgrades a version-2 file: its running run can take signals and step waits', async () => {
    const path = dir.file('v2.db');
    const old = new Database(path);
    migrate(old, migrations.slice(0, 2), path);
    old.prepare("INSERT INTO runs (run_id, pipeline, version, status, params, input, fingerprint, started_at) VALUES ('r1', 'p', '1', 'running', '{}', '{}', '{}', 1)").run();
    old.close();
    const store = new SqliteStore({ path });
    expect(versionOf(path)).toBe(SCHEMA_VERSION);
    store.sendSignal('r1', 'go', { ok: true }, 2);
    expect(store.readSignal('r1', 'go')).toMatchObject({ payload: { ok: true } });
    store.saveWait('r1', 'approve', 0, { kind: 'sleep', until: 9 });
    expect(store.readWaits('r1', 'approve')).toEqual([{ seq: 0, record: { kind: 'sleep', until: 9 } }]);
    await store.close();
  });

  it('upgrades a version-3 file: each run keeps its journal, which goes on after it; new runs journal apart', async () => {
    const path = dir.file('v3.db');
    const old = new Database(path);
    migrate(old, migrations.slice(0, 3), path);
    const insertRun = old.prepare("INSERT INTO runs (run_id, pipeline, version, status, params, input, fingerprint, started_at) VALUES (?, 'p', '1', 'running', '{}', '{}', '{}', 1)");
    const insertEvent = old.prepare('INSERT INTO events (run_id, seq, type, step, at, body) VALUES (?, ?, ?, ?, ?, ?)');
    const journalOf = (runId: string): PipelineEvent[] => [
      { type: 'run.started', runId, at: 1, pipeline: 'p', version: '1', params: {} },
      { type: 'step.created', runId, at: 2, step: 'a', attempt: 0 },
      { type: 'step.started', runId, at: 3, step: 'a', attempt: 1 },
    ] as PipelineEvent[];
    for (const runId of ['r1', 'r2']) {
      insertRun.run(runId);
      journalOf(runId).forEach((event, index) => insertEvent.run(runId, index + 1, event.type, 'step' in event ? event.step : null, event.at, JSON.stringify(event)));
    }
    old.close();

    const store = new SqliteStore({ path });
    expect(versionOf(path)).toBe(SCHEMA_VERSION);
    expect(store.events('r1')).toEqual(journalOf('r1'));
    expect(store.events('r2')).toEqual(journalOf('r2'));
    expect(store.readEvents('r1', 1)).toEqual([
      { seq: 2, event: journalOf('r1')[1] },
      { seq: 3, event: journalOf('r1')[2] },
    ]);
    // r1 goes on where its journal stopped, in one commit with a new run's first events.
    store.beginRun({ runId: 'r3', pipeline: 'p', version: '1', params: {}, input: {}, fingerprint: {}, status: 'running', startedAt: 9, endedAt: undefined, error: undefined });
    const more = [
      { type: 'step.succeeded', runId: 'r1', at: 4, step: 'a', attempt: 1, output: 1 },
      ...journalOf('r3'),
      { type: 'run.succeeded', runId: 'r1', at: 5, status: 'succeeded', elapsedMs: 4 },
    ] as PipelineEvent[];
    more.forEach((event) => store.appendEvent(event));
    store.commit();
    expect(store.readEvents('r1', 2).map((entry) => [entry.seq, entry.event.type])).toEqual([
      [3, 'step.started'],
      [4, 'step.succeeded'],
      [5, 'run.succeeded'],
    ]);
    expect(store.events('r3')).toEqual(journalOf('r3'));
    expect(store.events('r2')).toEqual(journalOf('r2'));
    await store.close();
    expect(withConnection(path, tablesOf)).not.toContain('events');
  });

  it('upgrades a version-3 file: a run keeps its steps in order, and a resumed one updates them and adds after them', async () => {
    const path = dir.file('v3-steps.db');
    const old = new Database(path);
    migrate(old, migrations.slice(0, 3), path);
    old.prepare("INSERT INTO runs (run_id, pipeline, version, status, params, input, fingerprint, started_at) VALUES ('r1', 'p', '1', 'running', '{}', '{}', '{}', 1)").run();
    const insertStep = old.prepare(
      "INSERT INTO steps (run_id, step, position, status, output, attempts, error, started_at, ended_at, metrics, logs, artifacts) VALUES ('r1', ?, ?, ?, ?, 1, NULL, 1, 2, '{}', '[]', '{}')",
    );
    // v3 numbered saves, not steps: positions have gaps.
    insertStep.run('prepare', 1, 'succeeded', '{"rows":3}');
    insertStep.run('train', 4, 'running', null);
    insertStep.run('audit', 9, 'succeeded', '"ok"');
    old.close();

    const store = new SqliteStore({ path });
    expect(Object.keys(store.getRun('r1')?.steps ?? {})).toEqual(['prepare', 'train', 'audit']);
    expect(store.getRun('r1')?.steps.prepare).toMatchObject({ status: 'succeeded', output: { rows: 3 } });
    const result = { status: 'succeeded', output: 7, attempts: 2, error: undefined, startedAt: 3, endedAt: 4, metrics: {}, logs: [], artifacts: {} } as const;
    store.saveStep('r1', 'train', result);
    store.saveStep('r1', 'report', { ...result, output: 8 });
    store.commit();
    const steps = store.getRun('r1')?.steps ?? {};
    expect(Object.keys(steps)).toEqual(['prepare', 'train', 'audit', 'report']);
    expect(steps.train).toMatchObject({ status: 'succeeded', output: 7, attempts: 2 });
    expect(steps.report).toMatchObject({ output: 8 });
    await store.close();
  });

  it('opens a database at the current version without migrating it again', async () => {
    const first = new SqliteStore({ path: dir.file('runs.db') });
    first.putCache({ key: 'k', pipeline: 'p', step: 's', output: 1, artifacts: {}, createdAt: 1 });
    await first.close();
    const second = new SqliteStore({ path: dir.file('runs.db') });
    expect(second.getCache('k')?.output).toBe(1);
    await second.close();
  });

  it('refuses a database written by a newer version with SCHEMA_TOO_NEW naming both versions, and leaves it untouched', () => {
    const path = dir.file('future.db');
    const future = new Database(path);
    future.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    future.exec('CREATE TABLE from_the_future (x)');
    future.close();

    let caught: unknown;
    try {
      new SqliteStore({ path });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SqliteStoreError);
    const error = caught as SqliteStoreError;
    expect(error.code).toBe('SCHEMA_TOO_NEW');
    expect(error.foundVersion).toBe(SCHEMA_VERSION + 5);
    expect(error.supportedVersion).toBe(SCHEMA_VERSION);
    expect(error.message).toContain(`version ${SCHEMA_VERSION + 5}`);
    expect(error.message).toContain(`up to version ${SCHEMA_VERSION}`);
    expect(error.message).toContain(path);
    expect(versionOf(path)).toBe(SCHEMA_VERSION + 5);
    expect(withConnection(path, tablesOf)).toEqual(['from_the_future']);
    expect(withConnection(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('delete');
  });

  describe('migrate()', () => {
    const step = (sql: string): Migration => ({ description: sql, up: (db) => db.exec(sql) });
    const list = [step('CREATE TABLE a (x)'), step('CREATE TABLE b (x)'), step('ALTER TABLE a ADD COLUMN y')];

    it('applies only the pending migrations, in order, and records the version', () => {
      const db = new Database(dir.file('m.db'));
      expect(migrate(db, list.slice(0, 1), 'm.db')).toBe(1);
      expect(tablesOf(db)).toEqual(['a']);
      expect(migrate(db, list, 'm.db')).toBe(3);
      expect(tablesOf(db)).toEqual(['a', 'b']);
      expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('a')).toEqual(['x', 'y']);
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect(migrate(db, list, 'm.db')).toBe(3); // nothing left to do
      db.close();
    });

    it('rolls every pending migration back when one fails, with MIGRATION_FAILED naming the versions', () => {
      const db = new Database(dir.file('m.db'));
      migrate(db, list.slice(0, 1), 'm.db');
      const broken = [...list.slice(0, 2), step('ALTER TABLE missing ADD COLUMN z')];
      let caught: unknown;
      try {
        migrate(db, broken, 'm.db');
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'MIGRATION_FAILED', foundVersion: 1, supportedVersion: 3 });
      expect((caught as Error).message).toContain('from schema version 2 to 3');
      expect(tablesOf(db)).toEqual(['a']); // table b, created by the migration before, is gone too
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      db.close();
    });
  });
});
