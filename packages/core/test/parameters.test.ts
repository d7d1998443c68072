import 'reflect-metadata';
import { definePipeline, Engine, Pipeline, Step, Task } from '@pipewright/core';
import type { PipelineEvent, StepContext } from '@pipewright/core';

@Task({ name: 'params-echo', params: { a: 'template', b: 'template', c: 'template' } })
class EchoParams {
  execute(ctx: StepContext): Record<string, unknown> {
    return { ...ctx.params };
  }
}

@Pipeline({ name: 'params-pipeline', params: { rows: 100, mode: 'fast', tags: ['x'] } })
class WithParams {
  @Step()
  read(ctx: StepContext): Record<string, unknown> {
    return { ...ctx.pipeline.params };
  }

  @Step({ template: EchoParams, params: { b: 'step', c: 'step' } })
  first!: EchoParams;

  @Step({ template: EchoParams })
  second!: EchoParams;

  @Step({ template: EchoParams, params: { a: '${pipeline.rows}', b: 'mode is ${pipeline.mode}' } })
  referencing!: EchoParams;

  @Step({ params: { threshold: 0.5 } })
  method(ctx: StepContext): unknown {
    return ctx.params.threshold;
  }
}

describe('parameters', () => {
  const engine = new Engine();
  afterAll(() => engine.close());

  describe('pipeline parameters', () => {
    it('come from the @Pipeline defaults when the run gives none', async () => {
      const result = await engine.run(WithParams);
      expect(result.steps.read?.output).toEqual({ rows: 100, mode: 'fast', tags: ['x'] });
    });

    it('are overridden one by one by the run top-level params', async () => {
      const result = await engine.run(WithParams, { params: { rows: 5 } });
      expect(result.steps.read?.output).toEqual({ rows: 5, mode: 'fast', tags: ['x'] });
    });

    it('are announced resolved in run.started', async () => {
      const run = engine.start(WithParams, { params: { mode: 'slow' } });
      const events: PipelineEvent[] = [];
      run.events$.subscribe((event) => events.push(event));
      await run.result;
      expect(events[0]).toMatchObject({ type: 'run.started', pipeline: 'params-pipeline', params: { rows: 100, mode: 'slow', tags: ['x'] } });
    });

    it('do not leak from one run into the next or into the declaration', async () => {
      await engine.run(WithParams, { params: { rows: 1, tags: ['changed'] } });
      const result = await engine.run(WithParams);
      expect(result.steps.read?.output).toEqual({ rows: 100, mode: 'fast', tags: ['x'] });
    });

    it('feed ${pipeline.x} references with the run values, whole (typed) or interpolated', async () => {
      const result = await engine.run(WithParams, { params: { rows: 7, mode: 'careful' } });
      expect(result.steps.referencing?.output).toEqual({ a: 7, b: 'mode is careful', c: 'template' });
    });
  });

  describe('step parameters', () => {
    it('resolve template defaults, then step params, then run params addressed to the step', async () => {
      const result = await engine.run(WithParams, { params: { 'first.c': 'run' } });
      expect(result.steps.first?.output).toEqual({ a: 'template', b: 'step', c: 'run' });
    });

    it("address one step only with 'step.param'", async () => {
      const result = await engine.run(WithParams, { params: { 'second.a': 'run' } });
      expect(result.steps.second?.output).toEqual({ a: 'run', b: 'template', c: 'template' });
      expect(result.steps.first?.output).toEqual({ a: 'template', b: 'step', c: 'step' });
    });

    it('override a reference given by the step', async () => {
      const result = await engine.run(WithParams, { params: { 'referencing.a': 1, rows: 9 } });
      expect(result.steps.referencing?.output).toMatchObject({ a: 1 });
    });

    it('reach method steps that declare params', async () => {
      expect((await engine.run(WithParams)).steps.method?.output).toBe(0.5);
      expect((await engine.run(WithParams, { params: { 'method.threshold': 0.9 } })).steps.method?.output).toBe(0.9);
    });

    it('layer run params over params computed by a function, which cannot be checked in advance', async () => {
      const definition = definePipeline({ name: 'params-function', params: { base: 2 } })
        .addStep('computed', EchoParams, { params: (ctx) => ({ b: `computed from ${String(ctx.pipeline.params.base)}`, d: ctx.params.a }) })
        .build();
      const plain = await engine.run(definition);
      expect(plain.steps.computed?.output).toEqual({ a: 'template', b: 'computed from 2', c: 'template', d: 'template' });
      const overridden = await engine.run(definition, { params: { 'computed.b': 'run', 'computed.anything': 1 } });
      expect(overridden.steps.computed?.output).toEqual({ a: 'template', b: 'run', c: 'template', d: 'template', anything: 1 });
    });

    it('are not checked against a default that is itself a reference or null', async () => {
      const definition = definePipeline({ name: 'params-untyped', params: { n: 1 } })
        .addStep('loose', EchoParams, { params: { a: '${pipeline.n}', b: null } })
        .build();
      const result = await engine.run(definition, { params: { 'loose.a': 'text', 'loose.b': { any: 'thing' } } });
      expect(result.status).toBe('succeeded');
      expect(result.steps.loose?.output).toMatchObject({ a: 'text', b: { any: 'thing' } });
    });

    it('are resolved before the @BeforeStep hooks see them', async () => {
      const seen: Array<{ step: string; params: unknown }> = [];
      const result = await engine.run(
        definePipeline({ name: 'params-seen' })
          .addStep('only', EchoParams, { params: { a: 'step' } })
          .beforeStep((ctx) => void seen.push({ step: ctx.step, params: { ...ctx.params } }))
          .build(),
      );
      expect(result.status).toBe('succeeded');
      expect(seen).toEqual([{ step: 'only', params: { a: 'step', b: 'template', c: 'template' } }]);
    });
  });
});
