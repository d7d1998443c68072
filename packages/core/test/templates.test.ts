import 'reflect-metadata';
import { container as rootContainer, injectable } from 'tsyringe';
import { Engine, Pipeline, PipelineDefinitionError, Step, Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

/** A service templates get from tsyringe. */
@injectable()
class Scaler {
  readonly factor: number = 3;
  scale(value: number): number {
    return value * this.factor;
  }
}

@Task({ name: 'tpl-layers', params: { fromDefault: 'default', fromStep: 'default', fromRun: 'default', fromPre: 'default' } })
class Layers {
  execute(ctx: StepContext): Record<string, unknown> {
    return { ...ctx.params };
  }
}

@Pipeline({ name: 'tpl-layering', params: { who: 'pipeline' } })
class Layering {
  @Step({
    template: Layers,
    params: { fromStep: 'step', fromRun: 'step', fromPre: 'step' },
    preExecute: () => ({ fromPre: 'preExecute' }),
  })
  layered!: Layers;

  @Step({ template: Layers })
  plain!: Layers;
}

/** Keeps state on the instance: a shared instance would show up as a count above 1. */
@Task({ name: 'tpl-stateful', params: { label: 'none' } })
class Stateful {
  private calls = 0;
  private readonly seen: string[] = [];
  async execute(ctx: StepContext<{ label: string }>): Promise<{ calls: number; seen: string[] }> {
    this.calls++;
    this.seen.push(ctx.params.label);
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { calls: this.calls, seen: [...this.seen] };
  }
}

@Pipeline({ name: 'tpl-two-clones' })
class TwoClones {
  @Step({ template: Stateful, params: { label: 'a' } })
  a!: Stateful;

  @Step({ template: Stateful, params: { label: 'b' } })
  b!: Stateful;

  @Step({ parents: ['a', 'b'], template: Stateful, params: { label: 'c' } })
  c!: Stateful;
}

@Task({ name: 'tpl-injected', params: { value: 2 } })
class Injected {
  constructor(private readonly scaler: Scaler) {}
  execute(ctx: StepContext<{ value: number }>): number {
    return this.scaler.scale(ctx.params.value);
  }
}

@Pipeline({ name: 'tpl-with-service' })
class WithService {
  @Step({ template: Injected, params: { value: 5 } })
  scaled!: Injected;
}

@Pipeline({ name: 'tpl-params-function', params: { base: 10 } })
class ParamsFunction {
  @Step()
  source(): { n: number } {
    return { n: 4 };
  }

  @Step({
    parents: ['source'],
    template: Layers,
    params: (ctx) => ({ fromStep: `${(ctx.parents.source as { n: number }).n * (ctx.pipeline.params.base as number)}`, sawDefault: ctx.params.fromDefault }),
  })
  computed!: Layers;
}

@Pipeline({ name: 'tpl-params-function-throws' })
class ParamsFunctionThrows {
  @Step({
    template: Layers,
    continueOnFail: true,
    params: () => {
      throw new Error('no params today');
    },
  })
  broken!: Layers;

  @Step({ template: Layers, continueOnFail: true, params: () => 42 as unknown as Record<string, unknown> })
  notAnObject!: Layers;
}

class Unbuildable {
  constructor() {
    throw new Error('cannot build the service');
  }
}

@Task({ name: 'tpl-unbuildable' })
class NeedsUnbuildable {
  constructor(readonly service: Unbuildable) {}
  execute(): string {
    return 'never';
  }
}

@Task({ name: 'tpl-throws' })
class Throws {
  execute(): never {
    throw new RangeError('the template failed');
  }
}

@Pipeline({ name: 'tpl-failing-templates' })
class FailingTemplates {
  @Step({ template: NeedsUnbuildable, continueOnFail: true })
  unbuildable!: NeedsUnbuildable;

  @Step({ template: Throws, continueOnFail: true })
  throws!: Throws;

  @Step()
  unaffected(): string {
    return 'ran';
  }
}

describe('templates (@Task classes cloned by steps)', () => {
  const engine = new Engine();
  afterAll(() => engine.close());

  it('run their execute(ctx) with the template defaults when the step overrides nothing', async () => {
    const result = await engine.run(Layering);
    expect(result.steps.plain?.output).toEqual({ fromDefault: 'default', fromStep: 'default', fromRun: 'default', fromPre: 'default' });
  });

  it('resolve parameters template defaults → step params → run params for the step → preExecute', async () => {
    const result = await engine.run(Layering, { params: { 'layered.fromRun': 'run', 'layered.fromPre': 'run' } });
    expect(result.status).toBe('succeeded');
    expect(result.steps.layered?.output).toEqual({ fromDefault: 'default', fromStep: 'step', fromRun: 'run', fromPre: 'preExecute' });
    // A run param addressed to one step leaves the other clone of the same template alone.
    expect(result.steps.plain?.output).toEqual({ fromDefault: 'default', fromStep: 'default', fromRun: 'default', fromPre: 'default' });
  });

  it('take step params from a function of the context, which sees parents, pipeline params and the template defaults', async () => {
    const result = await engine.run(ParamsFunction, { params: { base: 100 } });
    expect(result.steps.computed?.output).toEqual({
      fromDefault: 'default',
      fromStep: '400',
      fromRun: 'default',
      fromPre: 'default',
      sawDefault: 'default',
    });
  });

  it('give every step its own instance, so two clones of one template never share state', async () => {
    const result = await engine.run(TwoClones);
    expect(result.status).toBe('succeeded');
    expect(result.steps.a?.output).toEqual({ calls: 1, seen: ['a'] });
    expect(result.steps.b?.output).toEqual({ calls: 1, seen: ['b'] });
    expect(result.steps.c?.output).toEqual({ calls: 1, seen: ['c'] });
  });

  it('give a fresh instance to each run', async () => {
    const first = await engine.run(TwoClones);
    const second = await engine.run(TwoClones);
    expect(second.steps.a?.output).toEqual(first.steps.a?.output);
  });

  it("get their constructor's services from tsyringe", async () => {
    const result = await engine.run(WithService);
    expect(result.steps.scaled?.output).toBe(15);
  });

  it("resolve services from the engine's container, so a registration there replaces the default", async () => {
    const container = rootContainer.createChildContainer();
    container.registerInstance(Scaler, { factor: 10, scale: (value: number) => value * 10 });
    const withContainer = new Engine({ container });
    try {
      const result = await withContainer.run(WithService);
      expect(result.steps.scaled?.output).toBe(50);
    } finally {
      await withContainer.close();
    }
  });

  describe('when something goes wrong', () => {
    it('refuse a @Task without execute() at definition time with INVALID_TEMPLATE naming the step', () => {
      @Task({ name: 'tpl-no-execute' })
      class NoExecute {}

      @Pipeline({ name: 'tpl-uses-no-execute' })
      class UsesNoExecute {
        @Step({ template: NoExecute })
        broken!: NoExecute;
      }

      let thrown: unknown;
      try {
        engine.start(UsesNoExecute);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PipelineDefinitionError);
      expect(thrown).toMatchObject({ code: 'INVALID_TEMPLATE', step: 'broken' });
      expect((thrown as Error).message).toContain("'broken'");
    });

    it('fail the step with CALLBACK_FAILED naming the params function when it throws or returns no object', async () => {
      const result = await engine.run(ParamsFunctionThrows);
      const broken = result.steps.broken;
      expect(broken?.status).toBe('failed');
      expect(broken?.attempts).toBe(0);
      expect(broken?.error?.code).toBe('CALLBACK_FAILED');
      expect(broken?.error?.message).toMatch(/params function/);
      expect(broken?.error?.message).toContain('no params today');
      const notAnObject = result.steps.notAnObject;
      expect(notAnObject?.status).toBe('failed');
      expect(notAnObject?.error?.code).toBe('CALLBACK_FAILED');
      expect(notAnObject?.error?.message).toMatch(/must return an object/);
    });

    it('fail only their own step when the template cannot be constructed or its execute throws', async () => {
      const result = await engine.run(FailingTemplates);
      expect(result.status).toBe('succeeded');
      expect(result.steps.unbuildable?.status).toBe('failed');
      expect(result.steps.unbuildable?.error?.message).toContain('cannot build the service');
      expect(result.steps.throws?.status).toBe('failed');
      expect(result.steps.throws?.error).toMatchObject({ message: 'the template failed', name: 'RangeError' });
      expect(result.steps.unaffected?.output).toBe('ran');
    });
  });
});
