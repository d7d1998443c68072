import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { eventTrail, expectEventsInOrder, testPipeline, TestingError } from '@pipewright/testing';
import { audited, bodyCalls, DataService, KitMl, resetFixtures } from './fixtures';

@Pipeline({ name: 'kit-inner', params: { n: 1 } })
class Inner {
  @Step()
  count(ctx: StepContext) {
    bodyCalls.inner = (bodyCalls.inner ?? 0) + 1;
    return ctx.pipeline.params.n;
  }
}

@Pipeline({ name: 'kit-outer' })
class Outer {
  @Step({ template: Inner, params: { n: 3 } })
  nested!: Inner;

  @Step({ parents: ['nested'] })
  after(ctx: StepContext) {
    return { saw: ctx.parents.nested };
  }
}

beforeEach(resetFixtures);

describe('testPipeline', () => {
  it('runs the whole pipeline in memory and returns its result with every event in order', async () => {
    const run = await testPipeline(KitMl, { params: { rows: 10, threshold: 0.7 } });
    expect(run.status).toBe('succeeded');
    expect(run.steps.evaluate?.output).toEqual({ ok: true, lr: 0.01 });
    expect(run.steps.report?.output).toBe('accuracy 0.75');
    expect(run.events[0]?.type).toBe('run.started');
    expect(run.events.at(-1)?.type).toBe('run.succeeded');
    // evaluate and report are siblings: each follows train, in no order between them.
    for (const leaf of ['evaluate', 'report']) {
      expectEventsInOrder(run.events, ['run.started', 'step.succeeded prepare', 'step.started train', 'step.succeeded train', `step.started ${leaf}`, `step.succeeded ${leaf}`, 'run.succeeded']);
    }
    expect(eventTrail(run.events, { types: ['step.succeeded'] })).toHaveLength(4);
    expect(bodyCalls).toEqual({ prepare: 1, train: 1, evaluate: 1, report: 1 });
  });

  it('replaces named steps bodies with fakes that get the real context, and keeps everything else', async () => {
    const seen: unknown[] = [];
    const run = await testPipeline(KitMl, {
      params: { threshold: 0.6 },
      fakes: {
        train: async (ctx) => {
          seen.push(ctx.parents.prepare, ctx.params);
          await ctx.artifacts.put('model', JSON.stringify({ lr: 1 }));
          return { accuracy: 0.5 };
        },
      },
    });
    expect(run.status).toBe('succeeded');
    expect(seen).toEqual([{ rows: 100 }, { lr: 0.01, epochs: 5 }]);
    expect(run.steps.evaluate?.output).toEqual({ ok: false, lr: 1 });
    expect(run.steps.report?.output).toBe('accuracy 0.5');
    expect(bodyCalls.train).toBeUndefined();
    expect(audited).toEqual(['prepare', 'train', 'evaluate', 'report']);
  });

  it('fakes a nested pipeline step as one body, with the parameters it would pass the child', async () => {
    const run = await testPipeline(Outer, { fakes: { nested: (ctx) => ctx.params.n } });
    expect(run.steps.after?.output).toEqual({ saw: 3 });
    expect(bodyCalls.inner).toBeUndefined();
    const real = await testPipeline(Outer);
    expect(real.steps.after?.output).toEqual({ saw: { count: 3 } });
  });

  it('injects the services given', async () => {
    const run = await testPipeline(KitMl, { services: [[DataService, { rows: () => [1, 2, 3] }]] });
    expect(run.steps.train?.logs.map((entry) => entry.message)).toEqual(['training on 3 rows with lr=0.01']);
  });

  it('resolves with a failed run, its error and events, when a step fails', async () => {
    const run = await testPipeline(KitMl, {
      fakes: {
        train: () => {
          throw new Error('out of memory');
        },
      },
    });
    expect(run.status).toBe('failed');
    expect(run.steps.train).toMatchObject({ status: 'failed', error: { message: 'out of memory' } });
    expect(eventTrail(run.events, { steps: ['train', 'evaluate'], types: ['step.failed', 'step.skipped', 'run.failed'] })).toEqual([
      'step.failed train',
      'step.skipped evaluate',
      'run.failed',
    ]);
  });

  it('names an unknown step among the fakes before running anything', async () => {
    const attempt = testPipeline(KitMl, { fakes: { trian: () => 1 } as never });
    await expect(attempt).rejects.toBeInstanceOf(TestingError);
    await expect(attempt).rejects.toMatchObject({ code: 'UNKNOWN_STEP', step: 'trian' });
    expect(bodyCalls).toEqual({});
  });

  it('passes run options through', async () => {
    await expect(testPipeline(KitMl, { params: { rowz: 1 } })).rejects.toMatchObject({ code: 'UNKNOWN_PARAMETER' });
    const controller = new AbortController();
    controller.abort();
    const run = await testPipeline(KitMl, { signal: controller.signal });
    expect(run.status).toBe('aborted');
  });
});
