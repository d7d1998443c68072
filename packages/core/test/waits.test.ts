import 'reflect-metadata';
import { filter, firstValueFrom, toArray } from 'rxjs';
import { Engine, EngineError, MemoryStore, Pipeline, Step, stepStatuses } from '@pipewright/core';
import type { PipelineEvent, StepContext, StepWaitingEvent } from '@pipewright/core';

/** Resolves when `step` of the run emits `step.waiting`. */
const waitingOf = (events$: import('rxjs').Observable<PipelineEvent>, step: string): Promise<StepWaitingEvent> =>
  firstValueFrom(events$.pipe(filter((event): event is StepWaitingEvent => event.type === 'step.waiting' && event.step === step)));

let gate: { open: () => void; opened: Promise<void> };
const newGate = (): void => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gate = { open, opened };
};

@Pipeline({ name: 'waits-approval' })
class Approval {
  @Step()
  async approve(ctx: StepContext) {
    const decision = await ctx.waitFor<{ ok: boolean }>('approval');
    return { decision, attempt: ctx.attempt };
  }
}

@Pipeline({ name: 'waits-gated' })
class Gated {
  @Step()
  async approve(ctx: StepContext) {
    await gate.opened;
    return ctx.waitFor('approval');
  }
}

@Pipeline({ name: 'waits-slots', concurrency: 1 })
class Slots {
  @Step()
  async waits(ctx: StepContext) {
    return ctx.waitFor('go');
  }

  @Step()
  works() {
    return 'done';
  }
}

let failFirst = true;
@Pipeline({ name: 'waits-retry' })
class Retried {
  @Step({ retry: { retries: 1, minTimeout: 1 } })
  async approve(ctx: StepContext) {
    const first = await ctx.waitFor<number>('n');
    const second = await ctx.waitFor<number>('n');
    if (failFirst && ctx.attempt === 1) throw new Error('after the signals');
    return [first, second, ctx.attempt];
  }
}

@Pipeline({ name: 'waits-timeout' })
class TimesOut {
  @Step({ retry: { retries: 1, minTimeout: 1, randomize: false } })
  async approve(ctx: StepContext) {
    return ctx.waitFor('approval', { timeoutMs: 1_000 });
  }
}

@Pipeline({ name: 'waits-sleep' })
class Sleeps {
  @Step()
  async nap(ctx: StepContext) {
    await ctx.sleep(5_000);
    return 'rested';
  }
}

@Pipeline({ name: 'waits-step-timeout' })
class StepTimeout {
  @Step({ timeoutMs: 500 })
  async approve(ctx: StepContext) {
    return ctx.waitFor('approval');
  }
}

@Pipeline({ name: 'waits-bad', params: { ms: -1 } })
class BadSleep {
  @Step()
  async nap(ctx: StepContext) {
    await ctx.sleep(ctx.pipeline.params.ms as number);
  }
}

@Pipeline({ name: 'waits-outer' })
class Outer {
  @Step({ template: Approval })
  inner!: Approval;
}

afterEach(() => {
  jest.useRealTimers();
});

describe('ctx.waitFor and engine.signal', () => {
  it('a waiting step is `waiting`, says which signal, and goes on with the payload', async () => {
    const engine = new Engine();
    const run = engine.start(Approval);
    const statuses = run.events$.pipe(stepStatuses(), toArray()).toPromise();
    const waiting = await waitingOf(run.events$, 'approve');
    expect(waiting).toMatchObject({ signal: 'approval', queue: 'default' });
    await engine.signal(run.id, 'approval', { ok: true });
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    expect(result.steps.approve?.output).toEqual({ decision: { ok: true }, attempt: 1 });
    expect((await statuses)?.map((entry) => entry.approve)).toEqual(['pending', 'queued', 'running', 'waiting', 'running', 'succeeded']);
    await engine.close();
  });

  it('keeps a signal sent before the wait begins and delivers it at once', async () => {
    newGate();
    const engine = new Engine();
    const run = engine.start(Gated);
    const events: PipelineEvent[] = [];
    run.events$.subscribe((event) => events.push(event));
    await firstValueFrom(run.events$.pipe(filter((event) => event.type === 'step.started')));
    await engine.signal(run.id, 'approval', 'early');
    gate.open();
    const result = await run.result;
    expect(result.steps.approve?.output).toBe('early');
    expect(events.some((event) => event.type === 'step.waiting')).toBe(false);
    await engine.close();
  });

  it('holds no concurrency slot while it waits', async () => {
    const engine = new Engine();
    const run = engine.start(Slots);
    await waitingOf(run.events$, 'waits');
    // At concurrency 1, the other step can only finish if the waiting one gave its slot back.
    await firstValueFrom(run.events$.pipe(filter((event) => event.type === 'step.succeeded' && event.step === 'works')));
    await engine.signal(run.id, 'go', 1);
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    expect(result.steps.waits?.output).toBe(1);
    await engine.close();
  });

  it('consumes signals of one name in order, one per wait; a retry gets the recorded ones at once', async () => {
    failFirst = true;
    const engine = new Engine();
    const run = engine.start(Retried);
    await engine.signal(run.id, 'n', 1);
    await engine.signal(run.id, 'n', 2);
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    // Attempt 2 got both payloads from the step's records: no third or fourth signal was sent.
    expect(result.steps.approve?.output).toEqual([1, 2, 2]);
    await engine.close();
  });

  it('fails with WAIT_TIMEOUT after timeoutMs, under the retry policy', async () => {
    jest.useFakeTimers();
    const engine = new Engine();
    const run = engine.start(TimesOut);
    const waits: number[] = [];
    run.events$.subscribe((event) => {
      if (event.type === 'step.waiting') waits.push(event.attempt);
    });
    await waitingOf(run.events$, 'approve');
    await jest.advanceTimersByTimeAsync(999);
    expect(run.status).toBe('running');
    await jest.advanceTimersByTimeAsync(1); // the first attempt times out; the backoff is 1 ms
    await jest.advanceTimersByTimeAsync(1);
    expect(waits).toEqual([1, 2]); // the second attempt waits again
    await jest.advanceTimersByTimeAsync(1_000);
    const result = await run.result;
    expect(result.status).toBe('failed');
    expect(result.steps.approve).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'WAIT_TIMEOUT' } });
    expect(result.steps.approve?.error?.message).toContain("signal 'approval'");
    await engine.close();
  });

  it('ends the wait at once when the run is stopped or the step times out', async () => {
    const engine = new Engine();
    const stopped = engine.start(Approval);
    await waitingOf(stopped.events$, 'approve');
    const result = await stopped.stop('no approval today');
    expect(result.status).toBe('aborted');
    expect(result.steps.approve?.error?.code).toBe('RUN_STOPPED');

    jest.useFakeTimers();
    const timed = engine.start(StepTimeout);
    await waitingOf(timed.events$, 'approve');
    await jest.advanceTimersByTimeAsync(500);
    const timedOut = await timed.result;
    expect(timedOut.steps.approve).toMatchObject({ status: 'aborted', error: { code: 'STEP_TIMEOUT' } });
    await engine.close();
  });

  it('refuses bad signals with typed errors naming what is wrong', async () => {
    const engine = new Engine();
    await expect(engine.signal('nope', 'approval', {})).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', runId: 'nope' });
    const run = engine.start(Approval);
    await waitingOf(run.events$, 'approve');
    const notJson = engine.signal(run.id, 'approval', { when: new Date() });
    await expect(notJson).rejects.toBeInstanceOf(EngineError);
    await expect(notJson).rejects.toMatchObject({ code: 'SIGNAL_NOT_JSON', subject: 'payload.when' });
    await expect(engine.signal(run.id, 'approval', { n: 10n })).rejects.toMatchObject({ code: 'SIGNAL_NOT_JSON' });
    await expect(engine.signal(run.id, '', 1)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await engine.signal(run.id, 'approval', { ok: false });
    await run.result;
    await expect(engine.signal(run.id, 'approval', {})).rejects.toMatchObject({ code: 'RUN_FINISHED', runId: run.id });
    await engine.close();
  });
});

describe('ctx.sleep', () => {
  it('sleeps without a slot, `waiting` until its deadline', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const engine = new Engine();
    const run = engine.start(Sleeps);
    const waiting = await waitingOf(run.events$, 'nap');
    expect(waiting.until).toBe(1_005_000);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(run.status).toBe('running');
    await jest.advanceTimersByTimeAsync(1);
    expect((await run.result).steps.nap?.output).toBe('rested');
    await engine.close();
  });

  it('refuses a negative sleep with INVALID_WAIT naming the step and the value', async () => {
    const engine = new Engine();
    const result = await engine.run(BadSleep);
    expect(result.steps.nap?.error).toMatchObject({ code: 'INVALID_WAIT', name: 'StepError' });
    expect(result.steps.nap?.error?.message).toContain("Step 'nap' called ctx.sleep(-1)");
    const fraction = await engine.run(BadSleep, { params: { ms: -0.5 } });
    expect(fraction.steps.nap?.error?.code).toBe('INVALID_WAIT');
    await engine.close();
  });

  it('waitFor is refused inside a nested pipeline (its store keeps no signals), with WAIT_NOT_SUPPORTED', async () => {
    const engine = new Engine({ store: new MemoryStore() });
    const result = await engine.run(Outer);
    expect(result.status).toBe('failed');
    expect(result.steps.inner?.error?.message).toContain("Step 'approve' called ctx.waitFor('approval'), but this run's store keeps no signals");
    await engine.close();
  });
});
