import 'reflect-metadata';
import { Engine, EngineError } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { OperatePipeline } from './fixtures/operate-pipeline';
import { killHard, OperateBench } from './support/operate';
import { withConnection } from './support/temp-dir';

/** The run's status and its lease's pid as another process sees them in the file. */
const committed = (db: string, runId: string): { status: unknown; leasePid: unknown } =>
  withConnection(db, (connection) => ({
    status: connection.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(runId),
    leasePid: connection.prepare('SELECT pid FROM leases WHERE run_id = ?').pluck().get(runId),
  }));

describe('leases of runs driven by other processes (real child processes)', () => {
  jest.setTimeout(120_000);
  let bench: OperateBench;
  let engine: Engine | undefined;

  beforeEach(() => {
    bench = new OperateBench();
    void OperatePipeline; // loaded: resume() finds the pipeline in the registry
  });
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await bench.close();
  });

  it('refuses RUN_LOCKED naming the live holder and the time left, then resumes at once after SIGKILL on the same host', async () => {
    const { child, runId, outcome } = await bench.drive({ GATE: 'train', LEASE_TTL_MS: '60000' });
    engine = new Engine({ store: new SqliteStore({ path: bench.db }) });

    let locked: unknown;
    try {
      engine.startResume(runId);
    } catch (error) {
      locked = error;
    }
    expect(locked).toBeInstanceOf(EngineError);
    expect(locked).toMatchObject({ code: 'RUN_LOCKED', runId, holder: { pid: child.pid } });
    const { retryInMs } = locked as EngineError;
    expect(retryInMs).toBeGreaterThan(30_000);
    expect((locked as Error).message).toContain(`pid ${String(child.pid)}`);
    expect((locked as Error).message).toMatch(/lease expires in \d+ s/);

    await killHard(child, outcome);
    // The killed process's 60 s lease has nearly all its time left: only its dead pid frees it.
    const result = await engine.startResume(runId).result;
    expect(result).toMatchObject({ status: 'succeeded', runId });
    expect(result.steps.report?.output).toBe('score 0.1');
    expect(bench.effects()).toMatchObject({ prepare: 1, train: 2, evaluate: 1, report: 1 });
  });

  it('start() hands out the id once the lease and the run are committed together, and leaves no lock behind', async () => {
    const { child, runId, outcome } = await bench.frozen('started');
    // Frozen right after start(): nothing of the driver runs again, yet both are in the file.
    expect(committed(bench.db, runId)).toEqual({ status: 'running', leasePid: child.pid });
    // The driver holds the lease, not the file: another engine hears RUN_LOCKED at once instead of waiting for a lock.
    engine = new Engine({ store: new SqliteStore({ path: bench.db, busyTimeoutMs: 2_000 }) });
    expect(() => engine?.startResume(runId)).toThrow(expect.objectContaining({ code: 'RUN_LOCKED', holder: expect.objectContaining({ pid: child.pid }) }));

    await killHard(child, outcome);
    const result = await engine.startResume(runId).result;
    expect(result).toMatchObject({ status: 'succeeded', runId });
    expect(bench.effects()).toEqual({ prepare: 1, audit: 1, train: 1, evaluate: 1, report: 1 });
  });

  it('gives a run\'s lease back in the commit of its end: another engine resumes it at once, though its driver never runs again', async () => {
    const { runId, status } = await bench.frozen('ended', { FAIL_STEP: 'evaluate' });
    expect(status).toBe('failed');
    expect(committed(bench.db, runId)).toEqual({ status: 'failed', leasePid: undefined });
    // A lease still there would be the frozen driver's, alive on this host: RUN_LOCKED.
    engine = new Engine({ store: new SqliteStore({ path: bench.db }) });
    const result = await engine.resume(runId);
    expect(result).toMatchObject({ status: 'succeeded', runId });
    expect(bench.effects()).toEqual({ prepare: 1, audit: 1, train: 1, evaluate: 2, report: 1 });
  });
});
