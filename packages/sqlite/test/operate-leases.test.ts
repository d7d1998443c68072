import 'reflect-metadata';
import { Engine, EngineError } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { OperatePipeline } from './fixtures/operate-pipeline';
import { killHard, OperateBench } from './support/operate';

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
});
