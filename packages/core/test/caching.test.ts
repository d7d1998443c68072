import 'reflect-metadata';
import { definePipeline, Engine, MemoryStore, Pipeline, Step, Task } from '@pipewright/core';
import type { PipelineEvent, StepContext } from '@pipewright/core';

const calls: Record<string, number> = {};
const count = (name: string): void => {
  calls[name] = (calls[name] ?? 0) + 1;
};

beforeEach(() => {
  for (const key of Object.keys(calls)) delete calls[key];
});

@Task({ name: 'cached-square', params: { n: 2 } })
class Square {
  async execute(ctx: StepContext<{ n: number }>) {
    count('square');
    await ctx.artifacts.put('note', `square of ${ctx.params.n}`);
    return { value: ctx.params.n * ctx.params.n };
  }
}

@Pipeline({ name: 'caching', params: { n: 3 } })
class Caching {
  @Step()
  source(ctx: StepContext) {
    count('source');
    return { n: ctx.pipeline.params.n as number };
  }

  @Step({ template: Square, params: { n: '${source.output.n}' }, cache: true })
  square!: Square;

  @Step({ parents: ['square'] })
  async report(ctx: StepContext) {
    count('report');
    return { value: ctx.parents.square.value, note: (await ctx.artifacts.get('note')).toString() };
  }
}

const eventTypes = async (engine: Engine, params: Record<string, unknown>, refreshCache?: boolean | string[]) => {
  const run = engine.start(Caching, { params, ...(refreshCache === undefined ? {} : { refreshCache }) });
  const events: PipelineEvent[] = [];
  run.events$.subscribe((event) => events.push(event));
  const result = await run.result;
  return { result, types: events.filter((event) => 'step' in event && event.step === 'square').map((event) => event.type) };
};

describe('step caching (cache: true)', () => {
  it('reuses the output and artifacts of an earlier run with the same code, params and inputs', async () => {
    const engine = new Engine();
    const first = await eventTypes(engine, { n: 3 });
    const second = await eventTypes(engine, { n: 3 });

    expect(calls.square).toBe(1);
    expect(first.types).toEqual(['step.created', 'step.queued', 'step.started', 'step.succeeded']);
    expect(second.types).toEqual(['step.created', 'step.cached']);
    expect(second.result.status).toBe('succeeded');
    expect(second.result.steps.square?.status).toBe('cached');
    expect(second.result.steps.square?.output).toEqual({ value: 9 });
    expect(second.result.steps.report?.output).toEqual({ value: 9, note: 'square of 3' });
  });

  it('misses when a parent output it receives changes', async () => {
    const engine = new Engine();
    await eventTypes(engine, { n: 3 });
    const other = await eventTypes(engine, { n: 4 });
    expect(calls.square).toBe(2);
    expect(other.result.steps.square?.output).toEqual({ value: 16 });
  });

  it('misses when a run parameter addressed to the step changes', async () => {
    const engine = new Engine();
    await engine.run(Caching, { params: { n: 3 } });
    const result = await engine.run(Caching, { params: { n: 3, 'square.n': 5 } });
    expect(calls.square).toBe(2);
    expect(result.steps.square?.output).toEqual({ value: 25 });
  });

  it('re-runs and replaces the entry for steps named in refreshCache, or all with true', async () => {
    const engine = new Engine();
    await eventTypes(engine, { n: 3 });
    const refreshed = await eventTypes(engine, { n: 3 }, ['square']);
    expect(refreshed.types).toContain('step.succeeded');
    await eventTypes(engine, { n: 3 }, true);
    expect(calls.square).toBe(3);
    const after = await eventTypes(engine, { n: 3 });
    expect(after.types).toEqual(['step.created', 'step.cached']);
  });

  it('is shared by engines on the same store and separate across stores', async () => {
    const store = new MemoryStore();
    await new Engine({ store }).run(Caching, { params: { n: 3 } });
    await new Engine({ store }).run(Caching, { params: { n: 3 } });
    await new Engine().run(Caching, { params: { n: 3 } });
    expect(calls.square).toBe(2);
  });

  it('counts a cached step as a success for callbacks: onStepCompleted sees it, status cached', async () => {
    const engine = new Engine();
    await engine.run(Caching, { params: { n: 3 } });
    const completed: Array<[string, string]> = [];
    await engine.run(Caching, { params: { n: 3 }, onStepCompleted: (ctx, result) => void completed.push([ctx.step, result.status]) });
    expect(completed).toContainEqual(['square', 'cached']);
  });

  it('uses a custom key function, namespaced by pipeline and step', async () => {
    let version = 'v1';
    const build = () =>
      definePipeline({ name: 'custom-key' })
        .addFunctionStep(
          'fetch',
          () => {
            count('fetch');
            return version;
          },
          { cache: { key: () => `external-data-${version}` } },
        )
        .build();
    const engine = new Engine();
    await engine.run(build());
    await engine.run(build());
    version = 'v2';
    const result = await engine.run(build());
    expect(calls.fetch).toBe(2);
    expect(result.steps.fetch?.output).toBe('v2');
  });

  it('fails the step with CALLBACK_FAILED when the key function throws', async () => {
    const definition = definePipeline({ name: 'bad-key' })
      .addFunctionStep('x', () => 1, {
        cache: {
          key: () => {
            throw new Error('no key today');
          },
        },
      })
      .build();
    const result = await new Engine().run(definition);
    expect(result.status).toBe('failed');
    expect(result.steps.x?.error).toMatchObject({ code: 'CALLBACK_FAILED' });
    expect(result.steps.x?.error?.message).toContain('cache key function');
  });

  it('does not cache failures', async () => {
    let attempts = 0;
    const definition = definePipeline({ name: 'cache-failures' })
      .addFunctionStep(
        'flaky',
        () => {
          attempts++;
          if (attempts === 1) throw new Error('first call fails');
          return 'ok';
        },
        { cache: true },
      )
      .build();
    const engine = new Engine();
    expect((await engine.run(definition)).status).toBe('failed');
    expect((await engine.run(definition)).steps.flaky?.status).toBe('succeeded');
    expect((await engine.run(definition)).steps.flaky?.status).toBe('cached');
    expect(attempts).toBe(2);
  });
});
