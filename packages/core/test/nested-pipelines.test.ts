import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, StepContext, StepEvent } from '@pipewright/core';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });

@Pipeline({ name: 'prep', params: { rows: 3, scale: 1 } })
class Prep {
  @Step()
  load(ctx: StepContext) {
    return Array.from({ length: ctx.pipeline.params.rows as number }, (_, i) => i + 1);
  }

  @Step({ parents: ['load'] })
  clean(ctx: StepContext) {
    ctx.log('cleaning');
    return (ctx.parents.load as number[]).map((value) => value * (ctx.pipeline.params.scale as number));
  }
}

@Pipeline({ name: 'outer', params: { rows: 4 } })
class Outer {
  @Step({ template: Prep, params: { rows: '${pipeline.rows}', scale: 10 } })
  prep!: Prep;

  @Step({ parents: ['prep'] })
  sum(ctx: StepContext) {
    return (ctx.parents.prep.clean as number[]).reduce((total, value) => total + value, 0);
  }
}

const collect = (events$: import('rxjs').Observable<PipelineEvent>): PipelineEvent[] => {
  const events: PipelineEvent[] = [];
  events$.subscribe((event) => events.push(event));
  return events;
};

const stepEvents = (events: PipelineEvent[]): StepEvent[] => events.filter((event): event is StepEvent => event.type.startsWith('step.'));

describe('a step whose template is a pipeline', () => {
  it('runs the child with the step’s params as pipeline params; its output is the child’s outputs by step name', async () => {
    const result = await new Engine().run(Outer);
    expect(result.status).toBe('succeeded');
    expect(result.steps.prep?.output).toEqual({ load: [1, 2, 3, 4], clean: [10, 20, 30, 40] });
    expect(result.steps.sum?.output).toBe(100);
  });

  it('takes run params addressed to the step as the child’s pipeline params', async () => {
    const result = await new Engine().run(Outer, { params: { 'prep.rows': 2 } });
    expect(result.steps.prep?.output).toEqual({ load: [1, 2], clean: [10, 20] });
  });

  it('keeps the child run out of history: it lives inside its parent step', async () => {
    const engine = new Engine();
    const result = await engine.run(Outer);
    expect((await engine.history()).map((run) => run.runId)).toEqual([result.runId]);
  });

  it('does not list the child’s steps among the parent’s result.steps', async () => {
    const result = await new Engine().run(Outer);
    expect(Object.keys(result.steps).sort()).toEqual(['prep', 'sum']);
  });

  it('forwards child step events with the parent’s runId, the inner step name and a path, but not the child’s run.* events', async () => {
    const run = new Engine().start(Outer);
    const events = collect(run.events$);
    await run.result;
    expect(events.filter((event) => event.type.startsWith('run.')).map((event) => event.type)).toEqual(['run.started', 'run.succeeded']);
    expect(events.every((event) => event.runId === run.id)).toBe(true);
    const inner = stepEvents(events).filter((event) => event.path !== undefined);
    expect(inner.map((event) => `${event.type} ${event.step} ${event.path?.join('/')}`)).toEqual([
      'step.created load prep/load',
      'step.queued load prep/load',
      'step.started load prep/load',
      'step.succeeded load prep/load',
      'step.created clean prep/clean',
      'step.queued clean prep/clean',
      'step.started clean prep/clean',
      'step.log clean prep/clean',
      'step.succeeded clean prep/clean',
    ]);
    // Inner events fall between the nested step's start and its end.
    const index = (predicate: (event: PipelineEvent) => boolean): number => events.findIndex(predicate);
    const started = index((event) => event.type === 'step.started' && event.step === 'prep' && !('path' in event && event.path));
    const succeeded = index((event) => event.type === 'step.succeeded' && event.step === 'prep' && !('path' in event && event.path));
    expect(started).toBeLessThan(index((event) => event.type === 'step.created' && event.step === 'load'));
    expect(succeeded).toBeGreaterThan(index((event) => event.type === 'step.succeeded' && event.step === 'clean'));
    // The outer steps carry no path.
    expect(stepEvents(events).filter((event) => event.step === 'sum').every((event) => event.path === undefined)).toBe(true);
  });

  it('gives deeper nesting longer paths', async () => {
    @Pipeline({ name: 'middle', params: { rows: 2, scale: 1 } })
    class Middle {
      @Step({ template: Prep, params: { rows: '${pipeline.rows}', scale: 2 } })
      prep!: Prep;
    }
    @Pipeline({ name: 'top' })
    class Top {
      @Step({ template: Middle, params: { rows: 3 } })
      middle!: Middle;
    }
    const run = new Engine().start(Top);
    const events = collect(run.events$);
    const result = await run.result;
    expect(result.steps.middle?.output).toEqual({ prep: { load: [1, 2, 3], clean: [2, 4, 6] } });
    const clean = stepEvents(events).find((event) => event.type === 'step.succeeded' && event.step === 'clean');
    expect(clean).toMatchObject({ runId: run.id, path: ['middle', 'prep', 'clean'] });
    const prep = stepEvents(events).find((event) => event.type === 'step.succeeded' && event.step === 'prep');
    expect(prep?.path).toEqual(['middle', 'prep']);
  });

  it('fails the step, and the run, when the child fails; the step’s error names the child’s failure', async () => {
    @Pipeline({ name: 'broken-child' })
    class BrokenChild {
      @Step()
      explode(): never {
        throw new Error('bad rows');
      }
    }
    @Pipeline({ name: 'has-broken-child' })
    class HasBrokenChild {
      @Step({ template: BrokenChild })
      child!: BrokenChild;

      @Step({ parents: ['child'] })
      after() {
        return 'never';
      }
    }
    const run = new Engine().start(HasBrokenChild);
    const events = collect(run.events$);
    const result = await run.result;
    expect(result.status).toBe('failed');
    expect(result.steps.child?.status).toBe('failed');
    expect(result.steps.child?.error?.message).toContain('bad rows');
    expect(result.steps.after?.status).toBe('skipped');
    expect(stepEvents(events).find((event) => event.type === 'step.failed' && event.step === 'explode')?.path).toEqual(['child', 'explode']);
  });

  it('fails the step when its params do not fit the child pipeline', async () => {
    @Pipeline({ name: 'wrong-params' })
    class WrongParams {
      @Step({ template: Prep, params: { rows: 'three' } })
      prep!: Prep;
    }
    const result = await new Engine().run(WrongParams);
    expect(result.status).toBe('failed');
    expect(result.steps.prep).toMatchObject({ status: 'failed', error: { code: 'PARAMETER_TYPE' } });
  });

  it('stop() reaches into the child: its running steps are aborted and the parent run ends aborted', async () => {
    let innerSignal: AbortSignal | undefined;
    @Pipeline({ name: 'slow-child' })
    class SlowChild {
      @Step()
      async wait(ctx: StepContext) {
        innerSignal = ctx.signal;
        await sleep(1_000, ctx.signal);
        return 'done';
      }
    }
    @Pipeline({ name: 'has-slow-child' })
    class HasSlowChild {
      @Step({ template: SlowChild })
      child!: SlowChild;
    }
    const run = new Engine().start(HasSlowChild);
    const events = collect(run.events$);
    await delay(15);
    const result = await run.stop('user asked');
    expect(result.status).toBe('aborted');
    expect(result.steps.child).toMatchObject({ status: 'aborted', error: { code: 'RUN_STOPPED' } });
    expect(innerSignal?.aborted).toBe(true);
    expect(stepEvents(events).find((event) => event.step === 'wait' && event.type === 'step.aborted')?.path).toEqual(['child', 'wait']);
    expect(events[events.length - 1]?.type).toBe('run.aborted');
  });

  it('a step timeout reaches into the child too', async () => {
    @Pipeline({ name: 'slow-child-2' })
    class SlowChild {
      @Step()
      async wait(ctx: StepContext) {
        await sleep(1_000, ctx.signal);
        return 'done';
      }
    }
    @Pipeline({ name: 'times-out-child' })
    class TimesOutChild {
      @Step({ template: SlowChild, timeoutMs: 15 })
      child!: SlowChild;
    }
    const result = await new Engine().run(TimesOutChild);
    expect(result.status).toBe('failed');
    expect(result.steps.child).toMatchObject({ status: 'aborted', error: { code: 'STEP_TIMEOUT' } });
  });
});
