import 'reflect-metadata';
import { PipelineDefinitionError, definePipeline, Engine, Pipeline, PipelineBuilder, PipelineGraph, scanPipeline, Step, Task } from '@pipewright/core';
import type { PipelineGraph as Graph, StepContext } from '@pipewright/core';

@Task({ name: 'builder-train', params: { lr: 0.01, epochs: 3 } })
class Train {
  execute(ctx: StepContext<{ lr: number; epochs: number }>): { accuracy: number; lr: number } {
    return { accuracy: 0.9, lr: ctx.params.lr };
  }
}

@Pipeline({ name: 'builder-ml', version: '1.0.0', params: { rows: 10 }, concurrency: 2 })
class DecoratedMl {
  @Step()
  prepare(ctx: StepContext): { rows: number } {
    return { rows: ctx.pipeline.params.rows as number };
  }

  @Step({ template: Train, params: { epochs: '${prepare.output.rows}' } })
  train!: Train;

  @Step({ parents: ['train'] })
  evaluate(ctx: StepContext): boolean {
    return (ctx.parents.train as { accuracy: number }).accuracy > 0.8;
  }
}

const builtMl = (): PipelineBuilder =>
  definePipeline({ name: 'builder-ml', version: '1.0.0', params: { rows: 10 }, concurrency: 2 })
    .addFunctionStep('prepare', (ctx) => ({ rows: ctx.pipeline.params.rows as number }))
    .addStep('train', Train, { params: { epochs: '${prepare.output.rows}' } })
    .addFunctionStep('evaluate', (ctx) => (ctx.parents.train as { accuracy: number }).accuracy > 0.8, { parents: ['train'] });

/** Everything about a graph's shape, leaving out step bodies (methods vs functions). */
const shapeOf = (graph: Graph): unknown =>
  graph.order.map((name) => {
    const node = graph.get(name);
    const body = node?.body;
    return {
      name,
      parents: node?.parents,
      children: graph.childrenOf(name),
      template: body?.kind === 'template' ? body.template : undefined,
      declaredParams: node?.declaredParams,
    };
  });

describe('definePipeline (the programmatic builder)', () => {
  it('builds the same PipelineGraph shape as the equivalent decorated class', () => {
    const built = builtMl().build();
    const scanned = scanPipeline(DecoratedMl);
    expect(built.graph).toBeInstanceOf(PipelineGraph);
    expect(shapeOf(built.graph)).toEqual(shapeOf(scanned.graph));
    expect(built.graph.edges()).toEqual(scanned.graph.edges());
    expect(built).toMatchObject({ name: scanned.name, version: scanned.version, params: scanned.params, concurrency: scanned.concurrency });
  });

  it('makes a step referenced in params a parent, as the scanner does', () => {
    expect(builtMl().build().graph.parentsOf('train')).toEqual(['prepare']);
  });

  it('runs to the same outputs as the decorated class', async () => {
    const engine = new Engine();
    const [built, decorated] = await Promise.all([engine.run(builtMl().build(), { params: { rows: 7 } }), engine.run(DecoratedMl, { params: { rows: 7 } })]);
    expect(built.status).toBe('succeeded');
    expect(decorated.status).toBe('succeeded');
    for (const name of ['prepare', 'train', 'evaluate']) {
      expect(built.steps[name]?.output).toEqual(decorated.steps[name]?.output);
    }
    expect(built.steps.train?.output).toEqual({ accuracy: 0.9, lr: 0.01 });
  });

  it('gives function steps and template steps their bodies', () => {
    const { graph } = builtMl().build();
    expect(graph.get('prepare')?.body.kind).toBe('function');
    expect(graph.get('train')?.body).toMatchObject({ kind: 'template', template: { kind: 'task', name: 'builder-train', target: Train } });
  });

  it('runs builder hooks around every step', async () => {
    const seen: string[] = [];
    const definition = definePipeline({ name: 'builder-hooks' })
      .addFunctionStep('a', () => 1)
      .addFunctionStep('b', () => 2, { parents: ['a'] })
      .beforeStep((ctx) => void seen.push(`before ${ctx.step}`))
      .afterStep((ctx, result) => void seen.push(`after ${ctx.step} ${result.status}`))
      .build();
    const result = await new Engine().run(definition);
    expect(result.status).toBe('succeeded');
    expect(seen).toEqual(['before a', 'after a succeeded', 'before b', 'after b succeeded']);
  });

  it('gives each build its own definition: later additions do not change an earlier build', () => {
    const builder = definePipeline({ name: 'builder-growing' }).addFunctionStep('a', () => 1);
    const first = builder.build();
    builder.addFunctionStep('b', () => 2, { parents: ['a'] });
    const second = builder.build();
    expect(first.graph.order).toEqual(['a']);
    expect(second.graph.order).toEqual(['a', 'b']);
  });

  it.each([
    ['concurrency 0', { concurrency: 0 }, 'concurrency must be an integer ≥ 1, got 0'],
    ['fractional concurrency', { concurrency: 1.5 }, 'concurrency must be an integer ≥ 1, got 1.5'],
    ['timeoutMs 0', { timeoutMs: 0 }, 'timeoutMs must be a number ≥ 1, got 0'],
  ])('rejects %s with INVALID_OPTION, as the scanner does', (_what, options, message) => {
    const build = () => definePipeline({ name: 'builder-bad-options', ...options }).addFunctionStep('a', () => 1).build();
    expect(build).toThrow(PipelineDefinitionError);
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', pipeline: 'builder-bad-options' }));
    expect(build).toThrow(message);
  });

  it('defaults the version to 0.0.0 and takes no target class', () => {
    const definition = definePipeline({ name: 'builder-defaults' }).addFunctionStep('a', () => 1).build();
    expect(definition).toMatchObject({ version: '0.0.0', target: undefined, params: {}, abortOnFailure: false });
  });
});
