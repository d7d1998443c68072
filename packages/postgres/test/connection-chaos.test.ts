import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { RunResult, StepContext } from '@pipewright/core';
import { PostgresStore } from '@pipewright/postgres';
import { terminateBackends, useDatabase } from './support/database';

/** `<runId> <step> <incarnation>`: every execution of a step body, and which attempt of its run it belonged to. */
const executions: string[] = [];
let incarnation = 0;

const work = async (ctx: StepContext): Promise<string> => {
  executions.push(`${ctx.runId} ${ctx.step} ${incarnation}`);
  await new Promise((resolve) => setTimeout(resolve, 5));
  return ctx.step;
};

@Pipeline({ name: 'chaos-chain', version: '1.0.0' })
class ChaosChain {
  @Step()
  s1(ctx: StepContext) {
    return work(ctx);
  }

  @Step({ parents: ['s1'] })
  s2(ctx: StepContext) {
    return work(ctx);
  }

  @Step({ parents: ['s2'] })
  s3(ctx: StepContext) {
    return work(ctx);
  }

  @Step({ parents: ['s2'] })
  s4(ctx: StepContext) {
    return work(ctx);
  }

  @Step({ parents: ['s3', 's4'] })
  s5(ctx: StepContext) {
    return work(ctx);
  }

  @Step({ parents: ['s5'] })
  s6(ctx: StepContext) {
    return work(ctx);
  }
}

describe('PostgresStore while every connection to its database is terminated over and over', () => {
  jest.setTimeout(180_000);
  const database = useDatabase();
  let engine: Engine | undefined;
  let stopTerminating = (): Promise<number> => Promise.resolve(0);

  afterEach(async () => {
    await stopTerminating();
    await engine?.close().catch(() => undefined);
  });

  /** Terminates every backend of the database every 30 ms until stopped; resolves with how many it ended. */
  const terminateRepeatedly = (name: string): (() => Promise<number>) => {
    let stopped = false;
    let terminated = 0;
    const loop = (async () => {
      while (!stopped) {
        terminated += await terminateBackends(name).catch(() => 0);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
      return terminated;
    };
  };

  // With retries the store absorbs most terminations; without, runs fail with STORE_FAILED and are resumed.
  it.each([3, 0])('finishes every run (reconnectAttempts %i), resumed after STORE_FAILED when it must, never re-running a step whose success was durable', async (reconnectAttempts) => {
    if (!database.available) return;
    void ChaosChain;
    const store = new PostgresStore({ connectionString: database.url, schema: `chaos_${reconnectAttempts}`, reconnectAttempts });
    engine = new Engine({ store, pollMs: 50 });
    await store.ready();
    stopTerminating = terminateRepeatedly(database.name);
    /** Per run: the steps the store held as succeeded before each resume, with the incarnation that followed. */
    const durableBefore: Array<{ runId: string; steps: string[]; next: number }> = [];
    const results: RunResult[] = [];
    for (let run = 0; run < 6; run++) {
      incarnation++;
      const handle = await retryWhileLost(() => engine!.begin(ChaosChain));
      let result = await handle.result;
      // Bounded per run, not in total: on a loaded machine a resume is as likely as a first try to meet a termination.
      for (let resumesOfRun = 0; result.status !== 'succeeded' && resumesOfRun < 50; resumesOfRun++) {
        expect(result.error?.code).toBe('STORE_FAILED');
        const stored = await retryWhileLost(() => store.getRun(handle.id));
        const steps = Object.entries(stored?.steps ?? {}).filter(([, step]) => step.status === 'succeeded').map(([name]) => name);
        incarnation++;
        durableBefore.push({ runId: handle.id, steps, next: incarnation });
        result = await retryWhileLost(() => engine!.resume(handle.id));
      }
      results.push(result);
    }
    const terminated = await stopTerminating();
    expect(terminated).toBeGreaterThan(0);
    expect(results.map((result) => result.status)).toEqual(Array(6).fill('succeeded'));
    for (const { runId, steps, next } of durableBefore) {
      for (const step of steps) {
        const later = executions.filter((line) => line.startsWith(`${runId} ${step} `) && Number(line.split(' ')[2]) >= next);
        expect({ runId, step, later }).toEqual({ runId, step, later: [] });
      }
    }
    for (const result of results) {
      const stored = await store.getRun(result.runId);
      expect(stored?.run.status).toBe('succeeded');
      expect(Object.values(stored?.steps ?? {}).every((step) => step.status === 'succeeded')).toBe(true);
      const journal = await store.readEvents(result.runId, 0);
      expect(journal.map((entry) => entry.seq)).toEqual(journal.map((_, index) => index + 1));
      expect(journal.at(-1)?.event.type).toBe('run.succeeded');
    }
  });
});

/** Calls `fn` again while it fails with CONNECTION_LOST (a read, begin or resume whose retries ran out). */
const retryWhileLost = async <T>(fn: () => Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (tries >= 50 || (code !== 'CONNECTION_LOST' && code !== 'STORE_FAILED')) throw error;
    }
  }
};
