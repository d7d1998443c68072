import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { eventTrail, expectEventsInOrder, skipTime, testPipeline, testStep } from '@pipewright/testing';

/** Fake-clock times at which each attempt of `flaky` began. */
let attemptsAt: number[] = [];

@Pipeline({ name: 'kit-fake-timers' })
class Backoff {
  @Step({ retry: { retries: 3, minTimeout: 10_000 } })
  flaky(ctx: StepContext) {
    attemptsAt.push(Date.now());
    if (ctx.attempt < 4) throw new Error(`attempt ${ctx.attempt} failed`);
    return `succeeded on attempt ${ctx.attempt}`;
  }

  @Step({ parents: ['flaky'], timeoutMs: 60_000 })
  slow(ctx: StepContext) {
    // An hour's work, unless the step's signal ends it first.
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 3_600_000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      });
    });
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
const watch = <T>(promise: Promise<T>): { readonly settled: boolean } => {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
};

beforeEach(() => {
  attemptsAt = [];
  jest.useFakeTimers();
});
afterEach(() => jest.useRealTimers());

describe('under jest fake timers', () => {
  it('finishes a run whose steps set no timer without the clock moving', async () => {
    const run = await testPipeline(Backoff, { fakes: { flaky: () => 'at once', slow: () => 'at once' } });
    expect(run.status).toBe('succeeded');
  });

  it('testStep retries with backoff as the fake clock moves, and no sooner', async () => {
    const start = Date.now();
    const pending = testStep(Backoff, 'flaky');
    const state = watch(pending);
    await jest.advanceTimersByTimeAsync(0);
    expect(attemptsAt).toEqual([start]);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(attemptsAt).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(attemptsAt).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(attemptsAt).toHaveLength(3);
    expect(state.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(state.settled).toBe(true);
    const { output, attempts, events } = await pending;
    expect(output).toBe('succeeded on attempt 4');
    expect(attempts).toBe(4);
    expect(attemptsAt.map((at) => at - start)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(events.filter((event) => event.type === 'step.retrying')).toHaveLength(3);
  });

  it('testPipeline times a step out when the fake clock passes its timeoutMs', async () => {
    const pending = testPipeline(Backoff);
    const state = watch(pending);
    await jest.advanceTimersByTimeAsync(30_000); // the backoffs of flaky
    expect(attemptsAt).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(state.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.settled).toBe(true);
    const run = await pending;
    expect(run.status).toBe('failed');
    expect(run.steps.slow).toMatchObject({ status: 'aborted', error: { code: 'STEP_TIMEOUT' } });
    expect(eventTrail(run.events, { types: ['step.started', 'step.retrying', 'step.succeeded', 'step.aborted', 'run.'] })).toEqual([
      'run.started',
      'step.started flaky',
      'step.retrying flaky',
      'step.started flaky',
      'step.retrying flaky',
      'step.started flaky',
      'step.retrying flaky',
      'step.started flaky',
      'step.succeeded flaky',
      'step.started slow',
      'step.aborted slow',
      'run.failed',
    ]);
  });

  it('a fake keeps the step retry policy, and skipTime moves the clock until the run ends', async () => {
    let calls = 0;
    const run = await skipTime(
      testPipeline(Backoff, {
        fakes: {
          flaky: () => {
            calls++;
            if (calls < 3) throw new Error('not yet');
            return 'faked';
          },
          slow: () => 'fast',
        },
      }),
      () => jest.advanceTimersToNextTimerAsync(),
    );
    expect(run.status).toBe('succeeded');
    expect(calls).toBe(3);
    expectEventsInOrder(run.events, ['step.retrying flaky', 'step.retrying flaky', 'step.succeeded flaky', 'step.succeeded slow', 'run.succeeded']);
    expect(Date.now() - (run.events[0]?.at ?? 0)).toBe(20_000);
  });

  it('skipTime gives up with STILL_PENDING when no timer can settle the work', async () => {
    const never = new Promise(() => undefined);
    await expect(skipTime(never, () => jest.advanceTimersToNextTimerAsync(), { maxSteps: 5 })).rejects.toMatchObject({ code: 'STILL_PENDING' });
  });
});

describe('under jest fake timers that leave queueMicrotask real', () => {
  beforeEach(() => {
    jest.useRealTimers();
    jest.useFakeTimers({ doNotFake: ['queueMicrotask'] });
  });

  it('a step without timers needs no clock move, and backoffs follow the clock from the start', async () => {
    await expect(testPipeline(Backoff, { fakes: { flaky: () => 'ok', slow: () => 'ok' } })).resolves.toMatchObject({ status: 'succeeded' });
    const start = Date.now();
    const pending = testStep(Backoff, 'flaky');
    await jest.advanceTimersByTimeAsync(30_000);
    await expect(pending).resolves.toMatchObject({ attempts: 4 });
    expect(attemptsAt.map((at) => at - start)).toEqual([0, 10_000, 20_000, 30_000]);
  });
});
