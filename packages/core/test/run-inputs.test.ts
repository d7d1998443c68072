import 'reflect-metadata';
import { definePipeline, Engine, EngineError, MemoryStore, ParameterError, Pipeline, PipelineDefinitionError, Step } from '@pipewright/core';
import type { Params, RunStore } from '@pipewright/core';

@Pipeline({ name: 'inputs-spec', params: { rate: 0.5, shape: { width: 1 } } })
class InputsPipeline {
  @Step()
  only() {
    return 1;
  }
}

/** A memory store that claims durability, so the engine applies the rules it applies to SQLite. */
const durable = (): RunStore => Object.assign(new MemoryStore(), { durable: true as const });

const rejectionOf = async (run: Promise<unknown>): Promise<unknown> => run.then(() => new Error('the run was not refused'), (error: unknown) => error);

describe('run inputs that cannot be kept', () => {
  it.each([
    ['NaN', { rate: Number.NaN }, 'rate', /rate is NaN/],
    ['Infinity', { rate: Number.POSITIVE_INFINITY }, 'rate', /rate is Infinity/],
    ['-Infinity deep in an object', { shape: { width: Number.NEGATIVE_INFINITY } }, 'shape', /shape\.width is -Infinity/],
  ] as const)('refuses %s up front with PARAMETER_VALUE naming the parameter, before anything is stored', async (_what, params, parameter, message) => {
    const store = new MemoryStore();
    const engine = new Engine({ store });
    const error = await rejectionOf(engine.run(InputsPipeline, { params: params as Params }));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error).toMatchObject({ code: 'PARAMETER_VALUE', parameter });
    expect((error as Error).message).toMatch(message);
    expect(store.listRuns()).toEqual([]);
    await engine.close();
  });

  it('refuses, with a durable store, a value JSON would not bring back (a class instance)', async () => {
    const engine = new Engine({ store: durable() });
    const error = await rejectionOf(engine.run(InputsPipeline, { params: { shape: new Map() as unknown as Params } }));
    expect(error).toMatchObject({ name: 'ParameterError', code: 'PARAMETER_VALUE', parameter: 'shape' });
    expect((error as Error).message).toContain('instance of Map');
    await engine.close();
  });

  it('accepts the same instance in memory, where nothing is serialized', async () => {
    const engine = new Engine();
    expect((await engine.run(InputsPipeline, { params: { shape: new Map() as unknown as Params } })).status).toBe('succeeded');
    await engine.close();
  });

  it('names a parameter called __proto__ as unknown instead of dropping it', async () => {
    const engine = new Engine();
    const params = JSON.parse('{"__proto__": 1}') as Params;
    const error = await rejectionOf(engine.run(InputsPipeline, { params }));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error).toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: '__proto__' });
    await engine.close();
  });

  it.each([
    ['null', null, 'got null'],
    ['an array', [1], 'got an array'],
    ['a string', 'rows=1', 'got string'],
  ])('refuses params that are %s with INVALID_OPTION naming params', async (_what, params, got) => {
    const engine = new Engine();
    const error = await rejectionOf(engine.run(InputsPipeline, { params: params as unknown as Params }));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'INVALID_OPTION', subject: 'params' });
    expect((error as Error).message).toContain(got);
    await engine.close();
  });

  it('refuses run options that are null', () => {
    const engine = new Engine();
    expect(() => engine.start(InputsPipeline, null as never)).toThrow(expect.objectContaining({ name: 'EngineError', code: 'INVALID_OPTION', subject: 'options' }));
  });

  it.each([
    ['has a name and a graph only', { name: 'lookalike', graph: {} }, 'lookalike'],
    ['has a graph without an order', { ...definePipeline({ name: 'half' }).build(), graph: { get: () => undefined } }, 'half'],
    ['has no name', { graph: { order: [] } }, '(unnamed object)'],
  ])('refuses an object that merely looks like a definition (it %s) with NOT_A_PIPELINE', (_what, source, pipeline) => {
    const engine = new Engine();
    let caught: unknown;
    try {
      engine.start(source as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PipelineDefinitionError);
    expect(caught).toMatchObject({ code: 'NOT_A_PIPELINE', pipeline });
  });

  it('still runs a built definition', async () => {
    const definition = definePipeline({ name: 'built' }).addFunctionStep('a', () => 2).build();
    expect((await new Engine().run(definition)).steps.a?.output).toBe(2);
  });
});
