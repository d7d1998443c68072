import 'reflect-metadata';
import { container as rootContainer, inject, injectable, Lifecycle, scoped } from 'tsyringe';
import { Engine, Pipeline, Step, Task } from '@pipewright/core';
import type { PipelineEvent, StepContext } from '@pipewright/core';

@injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

let scopedCount = 0;

/** One instance per container: per run, since every run resolves from its own child container. */
@scoped(Lifecycle.ContainerScoped)
class RunScope {
  readonly serial = ++scopedCount;
}

const SETTING = Symbol('injection-test-setting');

@Task({ name: 'inject-template' })
class GreetTask {
  constructor(
    private readonly greeter: Greeter,
    private readonly scope: RunScope,
  ) {}

  execute(ctx: StepContext): { greeting: string; scope: number } {
    return { greeting: this.greeter.greet(ctx.step), scope: this.scope.serial };
  }
}

let pipelineInstances = 0;

@Pipeline({ name: 'inject-pipeline' })
class InjectedPipeline {
  readonly instance = ++pipelineInstances;

  constructor(
    private readonly greeter: Greeter,
    private readonly scope: RunScope,
  ) {}

  @Step()
  hello(): { greeting: string; scope: number; instance: number } {
    return { greeting: this.greeter.greet('pipeline'), scope: this.scope.serial, instance: this.instance };
  }

  @Step({ template: GreetTask })
  templated!: GreetTask;

  @Step({ parents: ['hello'] })
  again(): { scope: number; instance: number } {
    return { scope: this.scope.serial, instance: this.instance };
  }
}

@Pipeline({ name: 'inject-setting' })
class NeedsSetting {
  constructor(@inject(SETTING) private readonly setting: string) {}

  @Step()
  read(): string {
    return this.setting;
  }

  @Step({ parents: ['read'] })
  after(): string {
    return 'after';
  }
}

@Task({ name: 'inject-broken-template' })
class BrokenTemplate {
  constructor(@inject('inject-test-missing-token') private readonly missing: unknown) {}

  execute(): unknown {
    return this.missing;
  }
}

@Pipeline({ name: 'inject-broken-template-pipeline' })
class UsesBrokenTemplate {
  @Step({ template: BrokenTemplate }) broken!: BrokenTemplate;
}

describe('dependency injection', () => {
  it('injects services into the pipeline class and into templates', async () => {
    const result = await new Engine().run(InjectedPipeline);
    expect(result.status).toBe('succeeded');
    expect(result.steps.hello?.output).toMatchObject({ greeting: 'hello pipeline' });
    expect(result.steps.templated?.output).toMatchObject({ greeting: 'hello templated' });
  });

  it('constructs the pipeline once per run and runs every method step on that instance', async () => {
    const engine = new Engine();
    const first = await engine.run(InjectedPipeline);
    const second = await engine.run(InjectedPipeline);
    const instanceOf = (result: typeof first, step: string): number => (result.steps[step]?.output as { instance: number }).instance;
    expect(instanceOf(first, 'hello')).toBe(instanceOf(first, 'again'));
    expect(instanceOf(second, 'hello')).toBe(instanceOf(second, 'again'));
    expect(instanceOf(first, 'hello')).not.toBe(instanceOf(second, 'hello'));
  });

  it('resolves each run from its own child container: a container-scoped service is shared within a run, not across runs', async () => {
    const engine = new Engine();
    const [first, second] = await Promise.all([engine.run(InjectedPipeline), engine.run(InjectedPipeline)]);
    const scopeOf = (result: typeof first, step: string): number => (result.steps[step]?.output as { scope: number }).scope;

    expect(scopeOf(first, 'hello')).toBe(scopeOf(first, 'templated'));
    expect(scopeOf(first, 'hello')).toBe(scopeOf(first, 'again'));
    expect(scopeOf(second, 'hello')).toBe(scopeOf(second, 'templated'));
    expect(scopeOf(first, 'hello')).not.toBe(scopeOf(second, 'hello'));
  });

  it('honours new Engine({ container }): runs resolve from children of the given container', async () => {
    const custom = rootContainer.createChildContainer();
    custom.register(SETTING, { useValue: 'from the custom container' });
    custom.register(Greeter, { useValue: { greet: (name: string) => `hi ${name} (custom)` } as Greeter });

    const withSetting = await new Engine({ container: custom }).run(NeedsSetting);
    expect(withSetting.status).toBe('succeeded');
    expect(withSetting.steps.read?.output).toBe('from the custom container');

    const greeted = await new Engine({ container: custom }).run(InjectedPipeline);
    expect(greeted.steps.hello?.output).toMatchObject({ greeting: 'hi pipeline (custom)' });
    expect(greeted.steps.templated?.output).toMatchObject({ greeting: 'hi templated (custom)' });

    // The root container never saw the registration.
    expect(rootContainer.isRegistered(SETTING, true)).toBe(false);
  });

  it('ends a run whose pipeline cannot be constructed as failed, with a clear error and every step skipped', async () => {
    const engine = new Engine();
    const run = engine.start(NeedsSetting);
    const events: PipelineEvent[] = [];
    let streamError: unknown;
    run.events$.subscribe({ next: (event) => events.push(event), error: (error: unknown) => (streamError = error) });
    const result = await run.result;

    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('NeedsSetting');
    expect(result.steps.read).toMatchObject({ status: 'skipped', attempts: 0 });
    expect(result.steps.after).toMatchObject({ status: 'skipped', attempts: 0 });
    expect(result.steps.read?.error?.message).toContain('could not be constructed');
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)).toMatchObject({ type: 'run.failed' });
    expect(events.filter((event) => event.type === 'step.started')).toEqual([]);
    expect(streamError).toBeUndefined();
  });

  it('fails the run when a pipeline constructor throws, without a crash', async () => {
    @Pipeline({ name: 'inject-throwing-constructor' })
    class Throwing {
      constructor() {
        throw new Error('database unreachable');
      }

      @Step() only(): void {}
    }
    const result = await new Engine().run(Throwing);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('database unreachable');
    expect(result.steps.only?.status).toBe('skipped');
  });

  it('fails the step, not the engine, when a template cannot be constructed', async () => {
    const result = await new Engine().run(UsesBrokenTemplate);
    expect(result.status).toBe('failed');
    expect(result.steps.broken?.status).toBe('failed');
    expect(result.steps.broken?.error?.message).toContain('inject-test-missing-token');
  });
});
