import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { Engine, PipelineDefinitionError, scanPipeline } from '@pipewright/core';

/**
 * What esbuild, tsx and vitest do to a pipeline file: legacy decorators are applied, but no
 * `design:paramtypes` metadata is emitted. Compiled here with TypeScript's own transpiler and
 * `emitDecoratorMetadata: false`, then loaded as a real module.
 */
const SOURCE = `
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { Pipeline, Step, Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

@injectable()
export class Greeter { greet(name: string) { return 'hello ' + name; } }

@Pipeline({ name: 'no-metadata' })
export class NeedsGreeter {
  constructor(private readonly greeter: Greeter) {}
  @Step() hello(ctx: StepContext) { return this.greeter.greet(ctx.step); }
}

@Task({ name: 'no-metadata-task' })
export class GreetTask {
  constructor(private readonly greeter: Greeter, private readonly other: Greeter) {}
  execute(ctx: StepContext) { return this.greeter.greet(ctx.step) + this.other.greet('!'); }
}

@Pipeline({ name: 'no-metadata-template' })
export class UsesTask {
  @Step({ template: GreetTask }) greet!: GreetTask;
}

@Pipeline({ name: 'no-metadata-inject' })
export class InjectsGreeter {
  constructor(@inject(Greeter) private readonly greeter: Greeter) {}
  @Step() hello(ctx: StepContext) { return this.greeter.greet(ctx.step); }
}
`;

const compiled = ts.transpileModule(SOURCE, {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: false },
}).outputText;

describe('a toolchain that drops decorator metadata', () => {
  // Inside the repository, so that the module finds reflect-metadata, tsyringe and @pipewright/core.
  const dir = mkdtempSync(join(__dirname, '.no-metadata-'));
  const file = join(dir, 'pipelines.js');
  writeFileSync(file, compiled);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is compiled at test time, then loaded
  const loaded = require(file) as Record<string, new (...args: never[]) => unknown>;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('really dropped it (the premise of these tests)', () => {
    expect(compiled).not.toContain('design:paramtypes');
    expect(Reflect.getMetadata('design:paramtypes', loaded.NeedsGreeter as object)).toBeUndefined();
  });

  it('makes scanning a pipeline whose constructor needs injection fail, saying to use @inject(Token)', () => {
    const scan = (): unknown => scanPipeline(loaded.NeedsGreeter);
    expect(scan).toThrow(PipelineDefinitionError);
    expect(scan).toThrow(/Pipeline class 'NeedsGreeter' needs constructor parameter 1 injected.*@inject\(Token\)/);
    try {
      scan();
    } catch (error) {
      expect((error as PipelineDefinitionError).code).toBe('MISSING_INJECTION_METADATA');
    }
  });

  it('checks the task templates a pipeline uses too, before anything runs', async () => {
    expect(() => scanPipeline(loaded.UsesTask)).toThrow(/Task class 'GreetTask' needs constructor parameters 1, 2 injected/);
    await expect(new Engine().run(loaded.UsesTask as never)).rejects.toThrow(PipelineDefinitionError);
  });

  it('runs a class whose parameters name their token with @inject', async () => {
    const result = await new Engine().run(loaded.InjectsGreeter as never);
    expect(result.status).toBe('succeeded');
    expect(result.steps.hello?.output).toBe('hello hello');
  });
});
