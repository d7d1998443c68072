import 'reflect-metadata';
import { Engine, EngineError, MemoryStore, ParameterError, Pipeline, Step } from '@pipewright/core';
import type { RunHandle, StepContext } from '@pipewright/core';

@Pipeline({ name: 'nightly', params: { rows: 1 } })
class Nightly {
  @Step()
  count(ctx: StepContext) {
    return ctx.pipeline.params.rows;
  }
}

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);

afterEach(() => {
  jest.useRealTimers();
});

/** Lets runs started by the timers finish (their journal commits on promise jobs). */
const settle = async (runs: RunHandle[]): Promise<void> => {
  await Promise.all(runs.map((run) => run.result));
};

describe('engine.schedule', () => {
  it('fires one run per tick with the params, reports the next tick, and stops', async () => {
    jest.useFakeTimers({ now: T0 + 500 });
    const engine = new Engine();
    const runs: Array<{ run: RunHandle; tickAt: number }> = [];
    const schedule = engine.schedule(Nightly, { cron: '*/10 * * * * *', params: { rows: 7 }, onRun: (run, tickAt) => runs.push({ run, tickAt }) });
    await schedule.ready;
    expect(schedule.next()?.getTime()).toBe(T0 + 10_000);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(runs.map((entry) => entry.tickAt)).toEqual([T0 + 10_000, T0 + 20_000, T0 + 30_000]);
    await settle(runs.map((entry) => entry.run));
    const results = await Promise.all(runs.map((entry) => entry.run.result));
    expect(results.map((result) => result.steps.count?.output)).toEqual([7, 7, 7]);
    schedule.stop();
    expect(schedule.next()).toBeUndefined();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(3);
    const [listed] = await engine.listSchedules();
    expect(listed).toMatchObject({ id: schedule.id, pipeline: 'nightly', cron: '*/10 * * * * *', params: { rows: 7 }, lastTickAt: T0 + 30_000, lastRunId: runs[2]?.run.id });
    expect(listed?.nextAt).toBe(T0 + 100_000);
    await engine.close();
  });

  it('two engines serving one schedule on one store fire each tick once', async () => {
    jest.useFakeTimers({ now: T0 });
    const store = new MemoryStore();
    const a = new Engine({ store });
    const b = new Engine({ store });
    const fired: string[] = [];
    const options = { cron: '* * * * * *', onRun: (run: RunHandle) => fired.push(run.id) };
    const first = a.schedule(Nightly, options);
    const second = b.schedule(Nightly, options);
    expect(second.id).toBe(first.id);
    await Promise.all([first.ready, second.ready]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(fired).toHaveLength(5);
    expect(new Set(fired).size).toBe(5);
    const history = await a.history({ pipeline: 'nightly' });
    expect(history).toHaveLength(5);
    first.stop();
    second.stop();
    await a.close();
    await b.close();
  });

  it('a controller back within the grace window fires the tick it missed, once; older ticks are dropped', async () => {
    jest.useFakeTimers({ now: T0 + 1 });
    const store = new MemoryStore();
    const fired: number[] = [];
    const options = { cron: '0 * * * * *', id: 'minutely', graceMs: 30_000, onRun: (_run: RunHandle, tickAt: number) => fired.push(tickAt) };
    const first = new Engine({ store }).schedule(Nightly, options);
    await first.ready;
    first.stop(); // the controller goes down before the tick at T0 + 60 s
    await jest.advanceTimersByTimeAsync(70_000);
    expect(fired).toEqual([]);
    const back = new Engine({ store });
    const again = back.schedule(Nightly, options);
    await again.ready;
    await jest.advanceTimersByTimeAsync(0);
    expect(fired).toEqual([T0 + 60_000]);
    // A third controller starting now finds that tick claimed.
    const third = new Engine({ store }).schedule(Nightly, options);
    await third.ready;
    await jest.advanceTimersByTimeAsync(0);
    expect(fired).toEqual([T0 + 60_000]);
    third.stop();
    again.stop();
    // Down across the next tick for longer than the grace window: that tick is not fired late.
    await jest.advanceTimersByTimeAsync(100_000); // the tick at T0 + 120 s is 50 s old by now
    const late = new Engine({ store }).schedule(Nightly, options);
    await late.ready;
    await jest.advanceTimersByTimeAsync(0);
    expect(fired).toEqual([T0 + 60_000]);
    late.stop();
    await back.close();
  });

  it('refuses an invalid cron, time zone or params at once, with typed errors', async () => {
    const engine = new Engine();
    const invalid = (cron: string, timezone?: string): unknown => {
      try {
        engine.schedule(Nightly, { cron, ...(timezone === undefined ? {} : { timezone }) });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(invalid('61 * * * *')).toMatchObject({ code: 'INVALID_CRON', subject: 'cron' });
    expect((invalid('61 * * * *') as Error).message).toContain("Invalid cron '61 * * * *'");
    expect(invalid('every night')).toMatchObject({ code: 'INVALID_CRON' });
    expect(invalid('0 3 * * *', 'Mars/Olympus')).toMatchObject({ code: 'INVALID_CRON', subject: 'timezone' });
    expect(invalid('0 3 * * *', 'Mars/Olympus')).toBeInstanceOf(EngineError);
    expect(() => engine.schedule(Nightly, { cron: '0 3 * * *', params: { nope: 1 } })).toThrow(ParameterError);
    const paris = engine.schedule(Nightly, { cron: '0 3 * * *', timezone: 'Europe/Paris' });
    await paris.ready;
    const next = paris.next() as Date;
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('03:00');
    paris.stop();
    await engine.close();
  });
});
