import 'reflect-metadata';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Engine, Pipeline, PipelineGraph, Step, ofStep, ofType, progress, stepStatuses, whenStep } from '@pipewright/core';
import type { PipelineEvent, PipelineEventType, StepContext, StepNode } from '@pipewright/core';

/** A step event with only the fields that matter here. */
const step = (type: PipelineEventType, name: string, extra: Record<string, unknown> = {}): PipelineEvent =>
  ({ type, runId: 'r1', at: 0, step: name, attempt: 1, ...extra }) as PipelineEvent;

const run = (type: 'run.started' | 'run.succeeded'): PipelineEvent =>
  (type === 'run.started'
    ? { type, runId: 'r1', at: 0, pipeline: 'p', version: '0.0.0', params: {} }
    : { type, runId: 'r1', at: 0, status: 'succeeded', elapsedMs: 1 }) as PipelineEvent;

const node = (name: string, parents: string[] = []): StepNode => ({ name, parents, body: { kind: 'method', method: name }, options: {}, declaredParams: {} });

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

// A small run: `a` succeeds, `b` retries then fails, `c` is skipped; with a log, a metric and a nested inner step.
const values: Record<string, PipelineEvent> = {
  S: run('run.started'),
  c: step('step.created', 'a'),
  q: step('step.queued', 'a', { queue: 'default' }),
  r: step('step.started', 'a'),
  l: step('step.log', 'a', { message: 'hi' }),
  m: step('step.metric', 'a', { name: 'acc', value: 0.9 }),
  s: step('step.succeeded', 'a', { output: 1 }),
  C: step('step.created', 'b'),
  R: step('step.started', 'b'),
  T: step('step.retrying', 'b', { error: { message: 'x', name: 'Error' } }),
  F: step('step.failed', 'b', { error: { message: 'x', name: 'Error' } }),
  K: step('step.skipped', 'c', { reason: 'upstream' }),
  n: step('step.succeeded', 'a', { output: 2, path: ['prep', 'a'] }),
  Z: step('step.cached', 'a', { output: 1 }),
  X: step('step.created', 'x', { spawnedBy: 'a' }),
  E: run('run.succeeded'),
};

describe('ofType', () => {
  it('keeps only events of the given types, in order', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('Scqrs-CRF-E|', values);
      expectObservable(source.pipe(ofType('step.succeeded', 'step.failed'))).toBe('----s---F--|', values);
    });
  });

  it('lets nothing through when given no type, and completes with the source', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('Scs|', values).pipe(ofType())).toBe('---|');
    });
  });

  it('passes errors of the source through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('Ss#', values, new Error('boom')).pipe(ofType('run.started'))).toBe('S-#', values, new Error('boom'));
    });
  });
});

describe('ofStep', () => {
  it('keeps every event of the named step, logs and metrics included, and no run events', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ScqCrRlmTsFE|', values);
      expectObservable(source.pipe(ofStep('a'))).toBe('-cq-r-lm-s--|', values);
    });
  });

  it('does not match a nested pipeline’s inner step of the same name; a path does', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('sn|', values);
      expectObservable(source.pipe(ofStep('a'))).toBe('s-|', values);
      expectObservable(source.pipe(ofStep(['prep', 'a']))).toBe('-n|', values);
      expectObservable(source.pipe(ofStep(['a']))).toBe('s-|', values);
      expectObservable(source.pipe(ofStep(['other', 'a']))).toBe('--|', values);
    });
  });

  it('emits nothing for a step that never appears', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('Scs|', values).pipe(ofStep('zzz'))).toBe('---|');
    });
  });
});

describe('stepStatuses', () => {
  it('emits a fresh map of step → status on each status change, ignoring logs, metrics and run events', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ScqrlmsCRTRFKE|', { ...values });
      expectObservable(source.pipe(stepStatuses())).toBe('-abc--defghij-|', {
        a: { a: 'pending' },
        b: { a: 'queued' },
        c: { a: 'running' },
        d: { a: 'succeeded' },
        e: { a: 'succeeded', b: 'pending' },
        f: { a: 'succeeded', b: 'running' },
        g: { a: 'succeeded', b: 'retrying' },
        h: { a: 'succeeded', b: 'running' },
        i: { a: 'succeeded', b: 'failed' },
        j: { a: 'succeeded', b: 'failed', c: 'skipped' },
      });
    });
  });

  it('leaves out a nested pipeline’s inner steps', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('cn|', values).pipe(stepStatuses())).toBe('a-|', { a: { a: 'pending' } });
    });
  });

  it('does not mutate maps it has already emitted', () => {
    const emitted: Array<Record<string, string>> = [];
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('crs|', values).pipe(stepStatuses());
      source.subscribe((statuses) => emitted.push(statuses));
      expectObservable(source).toBe('abc|', { a: { a: 'pending' }, b: { a: 'running' }, c: { a: 'succeeded' } });
    });
    expect(emitted).toEqual([{ a: 'pending' }, { a: 'running' }, { a: 'succeeded' }]);
  });
});

describe('progress', () => {
  const counts = (total: number, succeeded: number, failed: number, skipped: number, running: number) => ({
    total,
    done: succeeded + failed + skipped,
    succeeded,
    failed,
    skipped,
    running,
  });

  it('counts steps as they advance, emitting only when a count changes (queued and retries change none)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ScqrlsCRTRFKE|', values);
      expectObservable(source.pipe(progress())).toBe('-a-b-cde--fg-|', {
        a: counts(1, 0, 0, 0, 0),
        b: counts(1, 0, 0, 0, 1),
        c: counts(1, 1, 0, 0, 0),
        d: counts(2, 1, 0, 0, 0),
        e: counts(2, 1, 0, 0, 1),
        f: counts(2, 1, 1, 0, 0),
        g: counts(3, 1, 1, 1, 0),
      });
    });
  });

  it('with the run’s graph, starts at once from zero out of every step', () => {
    const graph = PipelineGraph.from('p', [node('a'), node('b'), node('c', ['b'])]);
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ScqrlsCRTRFKE|', values);
      expectObservable(source.pipe(progress(graph))).toBe('a--b-c-d--ef-|', {
        a: counts(3, 0, 0, 0, 0),
        b: counts(3, 0, 0, 0, 1),
        c: counts(3, 1, 0, 0, 0),
        d: counts(3, 1, 0, 0, 1),
        e: counts(3, 1, 1, 0, 0),
        f: counts(3, 1, 1, 1, 0),
      });
    });
  });

  it('adds spawned steps to the total as they appear, and counts a cached step as succeeded', () => {
    const graph = PipelineGraph.from('p', [node('a')]);
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('cXZ|', values).pipe(progress(graph))).toBe('abc|', {
        a: counts(1, 0, 0, 0, 0),
        b: counts(2, 0, 0, 0, 0),
        c: counts(2, 1, 0, 0, 0),
      });
    });
  });

  it('ignores a nested pipeline’s inner steps', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('crn|', values).pipe(progress())).toBe('ab-|', { a: counts(1, 0, 0, 0, 0), b: counts(1, 0, 0, 0, 1) });
    });
  });
});

describe('whenStep', () => {
  it('emits the event by which the step reaches the status, completes, and stops listening', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('ScqrsE|', values);
      expectObservable(source.pipe(whenStep('a', 'succeeded'))).toBe('----(s|)', values);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('takes step.cached as reaching succeeded', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('cZ|', values).pipe(whenStep('a', 'succeeded'))).toBe('-(Z|)', values);
    });
  });

  it('completes without emitting when the step ends in another status', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('CRTRFKE|', values).pipe(whenStep('b', 'succeeded'))).toBe('----|');
    });
  });

  it('completes without emitting when the run ends before the step does', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('ScsE|', values).pipe(whenStep('c', 'succeeded'))).toBe('----|');
    });
  });

  it('accepts several statuses, and non-terminal ones (the first time only)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('CRTRF|', values).pipe(whenStep('b', ['failed', 'aborted']))).toBe('----(F|)', values);
      expectObservable(cold('CRTR|', values).pipe(whenStep('b', 'running'))).toBe('-(R|)', values);
      expectObservable(cold('c|', values).pipe(whenStep('a', 'pending'))).toBe('(c|)', values);
    });
  });

  it('selects a nested pipeline’s inner step by path', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('sn|', values).pipe(whenStep(['prep', 'a'], 'succeeded'))).toBe('-(n|)', values);
    });
  });
});

describe('the operators on a real run', () => {
  @Pipeline({ name: 'operated' })
  class Operated {
    @Step()
    prepare(ctx: StepContext) {
      ctx.metric('rows', 3);
      return 3;
    }

    @Step({ parents: ['prepare'] })
    train() {
      throw new Error('diverged');
    }

    @Step({ parents: ['train'] })
    evaluate() {
      return 'never';
    }
  }

  it('ends progress at every step done, statuses at each step’s final status, and whenStep empty for a step that failed', async () => {
    const run = new Engine().start(Operated);
    const counts = lastValueFrom(run.events$.pipe(progress(run.graph), toArray()));
    const statuses = lastValueFrom(run.events$.pipe(stepStatuses()));
    const metrics = lastValueFrom(run.events$.pipe(ofStep('prepare'), ofType('step.metric'), toArray()));
    const trained = firstValueFrom(run.events$.pipe(whenStep('train', 'succeeded')), { defaultValue: undefined });
    const failed = firstValueFrom(run.events$.pipe(whenStep('train', ['failed', 'aborted'])));
    await run.result;
    const all = await counts;
    expect(all[0]).toEqual({ total: 3, done: 0, succeeded: 0, failed: 0, skipped: 0, running: 0 });
    expect(all[all.length - 1]).toEqual({ total: 3, done: 3, succeeded: 1, failed: 1, skipped: 1, running: 0 });
    expect(await statuses).toEqual({ prepare: 'succeeded', train: 'failed', evaluate: 'skipped' });
    expect((await metrics).map((event) => [event.name, event.value])).toEqual([['rows', 3]]);
    expect(await trained).toBeUndefined();
    expect(await failed).toMatchObject({ type: 'step.failed', step: 'train', error: { message: 'diverged' } });
  });
});
