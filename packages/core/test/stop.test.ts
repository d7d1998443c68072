import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, RunHandle, RunResult, StepContext } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let started: string[] = [];
let reasons: Array<{ code?: string; message?: string }> = [];
/** How many times `ignoring` got to its end; never reset, so tests compare counts. */
let ignoringFinishes = 0;

/** `listening` and `ignoring` run until stopped; `done` finishes first; the rest waits on them. */
@Pipeline({ name: 'stop-pipeline' })
class Stoppable {
  @Step()
  done(): string {
    started.push('done');
    return 'done';
  }

  @Step()
  async listening(ctx: StepContext): Promise<string> {
    started.push('listening');
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    reasons.push(ctx.signal.reason as { code?: string; message?: string });
    return 'late';
  }

  @Step()
  async ignoring(ctx: StepContext): Promise<string> {
    started.push('ignoring');
    await sleep(60);
    ctx.log('late line');
    ignoringFinishes++;
    return 'late';
  }

  @Step({ parents: ['listening'] })
  child(): string {
    started.push('child');
    return 'never';
  }

  @Step({ parents: ['done'] })
  async afterDone(): Promise<string> {
    started.push('afterDone');
    await sleep(1_000);
    return 'never';
  }
}

const startCollecting = (engine: Engine, options: Parameters<Engine['start']>[1] = {}): { run: RunHandle; events: PipelineEvent[] } => {
  const events: PipelineEvent[] = [];
  const run = engine.start(Stoppable, options);
  run.events$.subscribe((event) => events.push(event));
  return { run, events };
};

/** Resolves once the named steps are all running. */
const whenRunning = (run: RunHandle, ...steps: string[]): Promise<void> =>
  new Promise((resolve) => {
    const poll = (): void => {
      if (steps.every((step) => run.running().includes(step))) resolve();
      else setTimeout(poll, 2);
    };
    poll();
  });

describe('stopping a run', () => {
  const engine = new Engine();
  afterAll(() => engine.close());
  beforeEach(() => {
    started = [];
    reasons = [];
  });

  describe('with run.stop(reason)', () => {
    let result: RunResult;
    let events: PipelineEvent[];
    let run: RunHandle;
    let stopped: RunResult;
    let finishesAtStop = 0;
    let finishesAtEnd = 0;
    // Copies: the outer beforeEach resets the shared journals before every test.
    let seenReasons: typeof reasons = [];
    let seenStarted: string[] = [];
    beforeAll(async () => {
      started = [];
      reasons = [];
        ({ run, events } = startCollecting(engine));
      await whenRunning(run, 'listening', 'ignoring', 'afterDone');
      finishesAtStop = ignoringFinishes;
      stopped = await run.stop('user asked');
      finishesAtEnd = ignoringFinishes;
      result = await run.result;
      seenReasons = reasons;
      seenStarted = started;
    });

    it('resolves with the run result, ended aborted, with RUN_STOPPED and the reason', () => {
      expect(stopped).toBe(result);
      expect(result.status).toBe('aborted');
      expect(run.status).toBe('aborted');
      expect(result.error?.code).toBe('RUN_STOPPED');
      expect(result.error?.message).toContain('user asked');
    });

    it('fires the signal of every running step, and marks them aborted with RUN_STOPPED', () => {
      expect(seenReasons.map((reason) => reason.code)).toEqual(['RUN_STOPPED']);
      for (const step of ['listening', 'ignoring', 'afterDone']) {
        expect(result.steps[step]?.status).toBe('aborted');
        expect(result.steps[step]?.error?.code).toBe('RUN_STOPPED');
        expect(result.steps[step]?.output).toBeUndefined();
      }
    });

    it('keeps what had already finished', () => {
      expect(result.steps.done?.status).toBe('succeeded');
      expect(result.steps.done?.output).toBe('done');
    });

    it('skips every step that had not started, and starts none', () => {
      expect(result.steps.child?.status).toBe('skipped');
      expect(seenStarted.sort()).toEqual(['afterDone', 'done', 'ignoring', 'listening']);
    });

    it('does not wait for a step that ignores its signal, and drops its late work', async () => {
      expect(finishesAtEnd).toBe(finishesAtStop);
      await sleep(80);
      expect(ignoringFinishes).toBe(finishesAtStop + 1);
      expect(result.steps.ignoring?.logs).toEqual([]);
      expect(result.steps.ignoring?.output).toBeUndefined();
    });

    it('ends events$ with one run.aborted event and completes it', () => {
      const runEvents = events.filter((event) => event.type.startsWith('run.'));
      expect(runEvents.map((event) => event.type)).toEqual(['run.started', 'run.aborted']);
      expect(events.at(-1)?.type).toBe('run.aborted');
      expect(events.filter((event) => event.type === 'step.aborted').map((event) => ('step' in event ? event.step : '')).sort()).toEqual([
        'afterDone',
        'ignoring',
        'listening',
      ]);
    });

    it('does nothing more when called again after the end', async () => {
      const again = await run.stop('twice');
      expect(again).toBe(result);
      expect(again.error?.message).toContain('user asked');
    });
  });

  it('in the same tick as start() runs no step at all', async () => {
    const { run, events } = startCollecting(engine);
    const result = await run.stop('changed my mind');
    expect(result.status).toBe('aborted');
    expect(started).toEqual([]);
    expect(Object.values(result.steps).map((step) => step.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)?.type).toBe('run.aborted');
  });

  describe('with the run option signal', () => {
    it('aborts running steps, skips the rest and ends the run aborted when the signal fires', async () => {
      const controller = new AbortController();
      const { run, events } = startCollecting(engine, { signal: controller.signal });
      await whenRunning(run, 'listening');
      controller.abort(new Error('deadline from the caller'));
      const result = await run.result;
      expect(result.status).toBe('aborted');
      expect(result.error?.code).toBe('RUN_STOPPED');
      expect(result.error?.message).toContain('deadline from the caller');
      expect(reasons.map((reason) => reason.code)).toEqual(['RUN_STOPPED']);
      expect(result.steps.listening?.status).toBe('aborted');
      expect(result.steps.child?.status).toBe('skipped');
      expect(events.at(-1)?.type).toBe('run.aborted');
    });

    it('runs nothing when the signal has already fired', async () => {
      const result = await engine.run(Stoppable, { signal: AbortSignal.abort('too late') });
      expect(result.status).toBe('aborted');
      expect(result.error?.code).toBe('RUN_STOPPED');
      expect(started).toEqual([]);
      expect(Object.values(result.steps).every((step) => step.status === 'skipped')).toBe(true);
    });

    it('leaves a run that has ended alone when it fires afterwards', async () => {
      @Pipeline({ name: 'stop-signal-after-end' })
      class Quick {
        @Step()
        only(): string {
          return 'ok';
        }
      }
      const controller = new AbortController();
      const result = await engine.run(Quick, { signal: controller.signal });
      controller.abort();
      expect(result.status).toBe('succeeded');
    });
  });

  it('leaves other runs of the same engine running', async () => {
    const stoppedRun = startCollecting(engine).run;
    const other = startCollecting(engine).run;
    await whenRunning(stoppedRun, 'listening');
    await stoppedRun.stop('only this one');
    expect(other.status).toBe('running');
    await other.stop('cleanup');
    expect((await stoppedRun.result).status).toBe('aborted');
  });
});
