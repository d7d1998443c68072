import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, RetryPolicy, RunResult, StepContext, StepStatus } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What each attempt of the step under test saw. */
let attempts: Array<{ attempt: number; at: number }> = [];
let statuses: string[] = [];

/** A pipeline whose `flaky` step fails its first `failures` attempts (with `makeError`), then succeeds. */
const flakyPipeline = (name: string, retry: RetryPolicy, failures: number, makeError: (attempt: number) => Error = (n) => new Error(`failure ${n}`)) => {
  @Pipeline({ name })
  class Flaky {
    @Step({
      retry,
      onStatusChange: (_ctx: StepContext, status: StepStatus, previous: StepStatus) => {
        statuses.push(`${previous}→${status}`);
      },
    })
    flaky(ctx: StepContext): string {
      attempts.push({ attempt: ctx.attempt, at: Date.now() });
      if (ctx.attempt <= failures) throw makeError(ctx.attempt);
      return `succeeded on attempt ${ctx.attempt}`;
    }

    @Step({ parents: ['flaky'] })
    child(ctx: StepContext): unknown {
      return ctx.parents.flaky;
    }
  }
  return Flaky;
};

const runWithEvents = async (engine: Engine, pipeline: Parameters<Engine['start']>[0]): Promise<{ result: RunResult; events: PipelineEvent[] }> => {
  const events: PipelineEvent[] = [];
  const run = engine.start(pipeline);
  run.events$.subscribe((event) => events.push(event));
  return { result: await run.result, events };
};

const stepEvents = (events: PipelineEvent[], step: string): PipelineEvent[] => events.filter((event) => 'step' in event && event.step === step);

describe('retries', () => {
  const engine = new Engine();
  afterAll(() => engine.close());
  beforeEach(() => {
    attempts = [];
    statuses = [];
  });

  describe('with a number of retries', () => {
    let result: RunResult;
    let events: PipelineEvent[];
    let seenAttempts: typeof attempts;
    let seenStatuses: string[];
    beforeAll(async () => {
      attempts = [];
      statuses = [];
      ({ result, events } = await runWithEvents(engine, flakyPipeline('retry-number', 2, 2)));
      seenAttempts = attempts;
      seenStatuses = statuses;
    });

    it('run the step again until it succeeds, counting ctx.attempt from 1', () => {
      expect(result.status).toBe('succeeded');
      expect(seenAttempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
      expect(result.steps.flaky?.output).toBe('succeeded on attempt 3');
      expect(result.steps.child?.output).toBe('succeeded on attempt 3');
    });

    it('record the attempts in the result, with no error once it succeeded', () => {
      expect(result.steps.flaky?.attempts).toBe(3);
      expect(result.steps.flaky?.error).toBeUndefined();
      expect(result.steps.child?.attempts).toBe(1);
    });

    it('emit step.retrying with the error for each failed attempt that is retried, and step.started for every attempt', () => {
      const flaky = stepEvents(events, 'flaky');
      expect(flaky.map((event) => `${event.type}#${'attempt' in event ? event.attempt : ''}`)).toEqual([
        'step.created#0',
        'step.queued#0',
        'step.started#1',
        'step.retrying#1',
        'step.started#2',
        'step.retrying#2',
        'step.started#3',
        'step.succeeded#3',
      ]);
      const retrying = flaky.filter((event) => event.type === 'step.retrying');
      expect(retrying.map((event) => (event.type === 'step.retrying' ? event.error.message : ''))).toEqual(['failure 1', 'failure 2']);
    });

    it('go running → retrying → running in onStatusChange', () => {
      expect(seenStatuses).toEqual(['pending→queued', 'queued→running', 'running→retrying', 'retrying→running', 'running→retrying', 'retrying→running', 'running→succeeded']);
    });
  });

  describe('when they run out', () => {
    it('fail the step with the last attempt’s error after 1 + retries attempts, and fail the run', async () => {
      const { result, events } = await runWithEvents(engine, flakyPipeline('retry-exhausted', 2, 99));
      expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
      expect(result.steps.flaky?.status).toBe('failed');
      expect(result.steps.flaky?.attempts).toBe(3);
      expect(result.steps.flaky?.error).toMatchObject({ message: 'failure 3', name: 'Error' });
      expect(result.steps.child?.status).toBe('skipped');
      expect(result.status).toBe('failed');
      expect(stepEvents(events, 'flaky').filter((event) => event.type === 'step.retrying')).toHaveLength(2);
    });

    it('keep the last error even when an earlier message repeats more often', async () => {
      const { result } = await runWithEvents(engine, flakyPipeline('retry-last-error', { retries: 3, minTimeout: 1 }, 99, (n) => new Error(n < 4 ? 'common' : 'the last one')));
      expect(result.steps.flaky?.error?.message).toBe('the last one');
    });
  });

  it('retry a TypeError thrown by the step like any other error', async () => {
    const { result } = await runWithEvents(engine, flakyPipeline('retry-type-error', { retries: 1, minTimeout: 1 }, 1, () => new TypeError('x is not a function')));
    expect(result.steps.flaky?.status).toBe('succeeded');
    expect(result.steps.flaky?.attempts).toBe(2);
  });

  it('retry a step that throws something that is not an Error', async () => {
    const { result } = await runWithEvents(engine, flakyPipeline('retry-non-error', { retries: 1, minTimeout: 1 }, 1, () => 'just a string' as unknown as Error));
    expect(result.steps.flaky?.status).toBe('succeeded');
  });

  it('do not retry at all with retry: 0', async () => {
    const { result } = await runWithEvents(engine, flakyPipeline('retry-zero', 0, 1));
    expect(result.steps.flaky?.status).toBe('failed');
    expect(attempts).toHaveLength(1);
  });

  describe('with backoff options { retries, minTimeout, maxTimeout, factor }', () => {
    it('wait at least minTimeout, growing by factor, between attempts', async () => {
      const { result } = await runWithEvents(engine, flakyPipeline('retry-backoff', { retries: 3, minTimeout: 15, factor: 2, maxTimeout: 1_000 }, 3));
      expect(result.steps.flaky?.attempts).toBe(4);
      const gaps = attempts.slice(1).map((entry, index) => entry.at - (attempts[index]?.at ?? 0));
      // Timers may fire a millisecond early against Date.now(): allow for it.
      expect(gaps[0]).toBeGreaterThanOrEqual(14);
      expect(gaps[1]).toBeGreaterThanOrEqual(29);
      expect(gaps[2]).toBeGreaterThanOrEqual(59);
    });

    it('retry only the errors their shouldRetry accepts, within retries', async () => {
      const errors = [new RangeError('transient'), new Error('permanent')];
      const retry = { retries: 5, minTimeout: 1, shouldRetry: (error: Error) => error instanceof RangeError };
      const { result } = await runWithEvents(engine, flakyPipeline('retry-options-should-retry', retry, 99, (n) => errors[n - 1] ?? new Error('unexpected')));
      expect(result.steps.flaky?.attempts).toBe(2);
      expect(result.steps.flaky?.error?.message).toBe('permanent');
    });

    it('count only retries: { retries: 1 } makes two attempts', async () => {
      const { result } = await runWithEvents(engine, flakyPipeline('retry-options-exhausted', { retries: 1, minTimeout: 1 }, 99));
      expect(result.steps.flaky?.attempts).toBe(2);
      expect(result.steps.flaky?.error?.message).toBe('failure 2');
    });
  });

  describe('with a predicate (error, attempt, ctx) => boolean', () => {
    it('retry while it returns true, passing the error itself, the failed attempt and the step context', async () => {
      const calls: Array<[string, string, number, string, number]> = [];
      const retry = (error: Error, attempt: number, ctx: StepContext): boolean => {
        calls.push([error.constructor.name, error.message, attempt, ctx.step, ctx.attempt]);
        return error instanceof RangeError;
      };
      const errors = [new RangeError('transient 1'), new RangeError('transient 2'), new Error('permanent')];
      const { result, events } = await runWithEvents(
        engine,
        flakyPipeline('retry-predicate', retry, 99, (n) => errors[n - 1] ?? new Error('unexpected')),
      );
      expect(calls).toEqual([
        ['RangeError', 'transient 1', 1, 'flaky', 1],
        ['RangeError', 'transient 2', 2, 'flaky', 2],
        ['Error', 'permanent', 3, 'flaky', 3],
      ]);
      expect(result.steps.flaky?.status).toBe('failed');
      expect(result.steps.flaky?.attempts).toBe(3);
      expect(result.steps.flaky?.error?.message).toBe('permanent');
      expect(stepEvents(events, 'flaky').filter((event) => event.type === 'step.retrying')).toHaveLength(2);
    });

    it('may be async', async () => {
      const retry = async (_error: Error, attempt: number): Promise<boolean> => {
        await sleep(1);
        return attempt < 2;
      };
      const { result } = await runWithEvents(engine, flakyPipeline('retry-async-predicate', retry, 1));
      expect(result.steps.flaky?.status).toBe('succeeded');
      expect(result.steps.flaky?.attempts).toBe(2);
    });

    it('fail the step with CALLBACK_FAILED naming the retry predicate when it throws', async () => {
      const retry = (): boolean => {
        throw new Error('predicate broke');
      };
      const { result } = await runWithEvents(engine, flakyPipeline('retry-throwing-predicate', retry, 1));
      expect(result.steps.flaky?.status).toBe('failed');
      expect(result.steps.flaky?.error?.code).toBe('CALLBACK_FAILED');
      expect(result.steps.flaky?.error?.message).toMatch(/retry predicate/);
      expect(result.steps.flaky?.error?.message).toContain('predicate broke');
      expect(attempts).toHaveLength(1);
    });
  });

  describe('and aborts', () => {
    @Pipeline({ name: 'retry-timeouts' })
    class Timeouts {
      @Step({ retry: 3, timeoutMs: 20, continueOnFail: true })
      async notRetried(ctx: StepContext): Promise<string> {
        attempts.push({ attempt: ctx.attempt, at: Date.now() });
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return 'late';
      }

      @Step({ retry: (error) => (error as { code?: string }).code === 'STEP_TIMEOUT', timeoutMs: 20 })
      async retriedByPredicate(ctx: StepContext): Promise<string> {
        if (ctx.attempt === 1) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return `attempt ${ctx.attempt}`;
      }
    }

    it('do not retry a timeout, unless a predicate accepts it', async () => {
      const { result } = await runWithEvents(engine, Timeouts);
      expect(result.steps.notRetried?.status).toBe('aborted');
      expect(result.steps.notRetried?.error?.code).toBe('STEP_TIMEOUT');
      expect(result.steps.notRetried?.attempts).toBe(1);
      expect(attempts).toHaveLength(1);
      expect(result.steps.retriedByPredicate?.status).toBe('succeeded');
      expect(result.steps.retriedByPredicate?.output).toBe('attempt 2');
    });

    it('do not start another attempt when the run is stopped during the backoff, and the run ends promptly', async () => {
      @Pipeline({ name: 'retry-stop-in-backoff' })
      class StopInBackoff {
        @Step({ retry: { retries: 5, minTimeout: 5_000 } })
        flaky(ctx: StepContext): never {
          attempts.push({ attempt: ctx.attempt, at: Date.now() });
          throw new Error('fails');
        }
      }
      const events: PipelineEvent[] = [];
      const run = engine.start(StopInBackoff);
      run.events$.subscribe((event) => {
        events.push(event);
        if (event.type === 'step.retrying') void run.stop('enough');
      });
      const result = await Promise.race([run.result, sleep(2_000).then(() => 'still running after 2 s' as const)]);
      expect(result).not.toBe('still running after 2 s');
      const ended = result as RunResult;
      expect(ended.status).toBe('aborted');
      expect(ended.steps.flaky?.status).toBe('aborted');
      expect(ended.steps.flaky?.error?.code).toBe('RUN_STOPPED');
      expect(ended.steps.flaky?.attempts).toBe(1);
      expect(events.at(-1)?.type).toBe('run.aborted');
      await sleep(30);
      expect(attempts).toHaveLength(1);
    });

    it('do not start another attempt when the run signal aborts during the backoff', async () => {
      @Pipeline({ name: 'retry-signal-in-backoff' })
      class SignalInBackoff {
        @Step({ retry: { retries: 5, minTimeout: 40 } })
        flaky(ctx: StepContext): never {
          attempts.push({ attempt: ctx.attempt, at: Date.now() });
          throw new Error('fails');
        }
      }
      const controller = new AbortController();
      const run = engine.start(SignalInBackoff, { signal: controller.signal });
      run.events$.subscribe((event) => {
        if (event.type === 'step.retrying') controller.abort(new Error('caller gave up'));
      });
      const result = await run.result;
      expect(result.status).toBe('aborted');
      expect(result.steps.flaky?.error?.code).toBe('RUN_STOPPED');
      // Past the first backoff: no attempt was started after the abort.
      await sleep(80);
      expect(attempts).toHaveLength(1);
    });
  });
});
