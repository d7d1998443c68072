import 'reflect-metadata';
import { Engine, MemoryStore, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, RunResult, StepContext } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const untilAborted = (signal: AbortSignal): Promise<void> => new Promise((resolve) => signal.addEventListener('abort', () => resolve()));

let signalReasons: Array<{ code?: string; message?: string }> = [];
/** Settles when the step that ignores its signal has done all its late work. */
let lateWorkDone: Promise<void> = Promise.resolve();
let lateWorkFinished = false;

@Pipeline({ name: 'timeout-step' })
class StepTimeout {
  @Step({ timeoutMs: 20 })
  async listens(ctx: StepContext): Promise<string> {
    await untilAborted(ctx.signal);
    signalReasons.push(ctx.signal.reason as { code?: string; message?: string });
    return 'late';
  }

  @Step({ parents: ['listens'] })
  child(): string {
    return 'never';
  }
}

@Pipeline({ name: 'timeout-ignored' })
class IgnoresSignal {
  @Step({ timeoutMs: 20 })
  async ignores(ctx: StepContext): Promise<string> {
    ctx.log('before the timeout');
    ctx.metric('progress', 1);
    await ctx.artifacts.put('early', 'written in time');
    let finish!: () => void;
    lateWorkDone = new Promise((resolve) => (finish = resolve));
    try {
      await sleep(50);
      ctx.log('after the timeout');
      ctx.metric('progress', 2);
      ctx.metric('late-only', 1);
      await ctx.artifacts.put('late', 'written too late').catch(() => undefined);
      return 'late result';
    } finally {
      lateWorkFinished = true;
      finish();
    }
  }
}

@Pipeline({ name: 'timeout-continue' })
class TimeoutContinue {
  @Step({ timeoutMs: 20, continueOnFail: true })
  async skipsChildren(ctx: StepContext): Promise<void> {
    await untilAborted(ctx.signal);
  }

  @Step({ parents: ['skipsChildren'] })
  skippedChild(): string {
    return 'never';
  }

  @Step({ timeoutMs: 20, continueOnFail: true, skipChildrenOnFail: false })
  async letsChildrenRun(ctx: StepContext): Promise<void> {
    await untilAborted(ctx.signal);
  }

  @Step({ parents: ['letsChildrenRun'] })
  runningChild(ctx: StepContext): unknown {
    return { parent: ctx.parents.letsChildrenRun, hasKey: 'letsChildrenRun' in ctx.parents };
  }
}

/** Each attempt takes 20 ms and fails; the 30 ms limit bounds each attempt, not their sum. */
@Pipeline({ name: 'timeout-per-attempt' })
class PerAttempt {
  @Step({ timeoutMs: 30, retry: { retries: 3, minTimeout: 1 } })
  async slowAndFlaky(ctx: StepContext): Promise<string> {
    await sleep(20);
    if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
    return `attempt ${ctx.attempt}`;
  }
}

let runTimeoutSeen: string[] = [];

@Pipeline({ name: 'timeout-run', timeoutMs: 40 })
class RunTimeout {
  @Step()
  fast(): string {
    return 'fast';
  }

  @Step()
  async slow(ctx: StepContext): Promise<string> {
    await untilAborted(ctx.signal);
    runTimeoutSeen.push((ctx.signal.reason as { code?: string }).code ?? 'no code');
    return 'late';
  }

  @Step({ parents: ['slow'] })
  afterSlow(): string {
    return 'never';
  }
}

@Pipeline({ name: 'timeout-run-not-reached', timeoutMs: 5_000 })
class RunTimeoutNotReached {
  @Step()
  async quick(): Promise<string> {
    await sleep(5);
    return 'done';
  }
}

const collect = async (engine: Engine, pipeline: Parameters<Engine['start']>[0]): Promise<{ result: RunResult; events: PipelineEvent[] }> => {
  const events: PipelineEvent[] = [];
  const run = engine.start(pipeline);
  run.events$.subscribe((event) => events.push(event));
  return { result: await run.result, events };
};

describe('timeouts', () => {
  describe("a step's timeoutMs", () => {
    const engine = new Engine();
    afterAll(() => engine.close());

    it('fires ctx.signal with a STEP_TIMEOUT reason and ends the step aborted with code STEP_TIMEOUT', async () => {
      signalReasons = [];
      const { result, events } = await collect(engine, StepTimeout);
      expect(signalReasons).toHaveLength(1);
      expect(signalReasons[0]?.code).toBe('STEP_TIMEOUT');
      const step = result.steps.listens;
      expect(step?.status).toBe('aborted');
      expect(step?.error?.code).toBe('STEP_TIMEOUT');
      expect(step?.error?.message).toContain('20 ms');
      expect(step?.output).toBeUndefined();
      const types = events.filter((event) => 'step' in event && event.step === 'listens').map((event) => event.type);
      expect(types.at(-1)).toBe('step.aborted');
    });

    it('fails the run, and the step’s children are skipped', async () => {
      const { result, events } = await collect(engine, StepTimeout);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('STEP_TIMEOUT');
      expect(result.steps.child?.status).toBe('skipped');
      expect(events.at(-1)?.type).toBe('run.failed');
    });

    it('counts as a failure for continueOnFail and skipChildrenOnFail', async () => {
      const { result } = await collect(engine, TimeoutContinue);
      expect(result.status).toBe('succeeded');
      expect(result.steps.skipsChildren?.status).toBe('aborted');
      expect(result.steps.skippedChild?.status).toBe('skipped');
      expect(result.steps.letsChildrenRun?.status).toBe('aborted');
      expect(result.steps.runningChild?.output).toEqual({ parent: undefined, hasKey: true });
    });

    it('bounds each attempt, not all attempts together', async () => {
      const { result } = await collect(engine, PerAttempt);
      expect(result.steps.slowAndFlaky?.status).toBe('succeeded');
      expect(result.steps.slowAndFlaky?.output).toBe('attempt 3');
      expect(result.steps.slowAndFlaky?.attempts).toBe(3);
    });
  });

  describe('a step that ignores its signal', () => {
    const store = new MemoryStore();
    const engine = new Engine({ store });
    afterAll(() => engine.close());
    let result: RunResult;
    let events: PipelineEvent[];
    let finishedBeforeRunEnded = true;
    beforeAll(async () => {
      ({ result, events } = await collect(engine, IgnoresSignal));
      finishedBeforeRunEnded = lateWorkFinished;
      await lateWorkDone;
      await sleep(5);
    });

    it('is still marked aborted at its timeout, without waiting for it to return', () => {
      expect(finishedBeforeRunEnded).toBe(false);
      expect(result.steps.ignores?.status).toBe('aborted');
      expect(result.steps.ignores?.error?.code).toBe('STEP_TIMEOUT');
      expect(result.status).toBe('failed');
    });

    it('never has its late output written, in the result or the store', () => {
      expect(result.steps.ignores?.output).toBeUndefined();
      expect(store.getRun(result.runId)?.steps.ignores?.output).toBeUndefined();
      expect(store.getRun(result.runId)?.steps.ignores?.status).toBe('aborted');
    });

    it('never has logs, metrics or artifacts written after the abort', () => {
      const step = result.steps.ignores;
      expect(step?.logs.map((entry) => entry.message)).toEqual(['before the timeout']);
      expect(step?.metrics).toEqual({ progress: 1 });
      expect(Object.keys(step?.artifacts ?? {})).toEqual(['early']);
    });

    it('emits nothing after the run has ended', () => {
      expect(events.at(-1)?.type).toBe('run.failed');
      expect(events.filter((event) => event.type === 'step.log').map((event) => (event.type === 'step.log' ? event.message : ''))).toEqual([
        'before the timeout',
      ]);
    });
  });

  describe("a pipeline's timeoutMs", () => {
    const engine = new Engine();
    afterAll(() => engine.close());

    it('aborts running steps with RUN_TIMEOUT, skips the rest and fails the run', async () => {
      runTimeoutSeen = [];
      const { result, events } = await collect(engine, RunTimeout);
      expect(runTimeoutSeen).toEqual(['RUN_TIMEOUT']);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('RUN_TIMEOUT');
      expect(result.error?.message).toContain('40 ms');
      expect(result.steps.fast?.status).toBe('succeeded');
      expect(result.steps.slow?.status).toBe('aborted');
      expect(result.steps.slow?.error?.code).toBe('RUN_TIMEOUT');
      expect(result.steps.afterSlow?.status).toBe('skipped');
      expect(events.at(-1)?.type).toBe('run.failed');
    });

    it('does nothing to a run that ends in time', async () => {
      const result = await engine.run(RunTimeoutNotReached);
      expect(result.status).toBe('succeeded');
      expect(result.error).toBeUndefined();
    });
  });
});
