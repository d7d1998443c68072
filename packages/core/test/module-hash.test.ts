import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { definePipeline, Engine, MemoryStore, scanPipeline } from '@pipewright/core';
import type { PipelineDefinition } from '@pipewright/core';
import { fingerprintOf } from '../src/engine/fingerprint';

/** A pipeline module whose cached step calls a helper of the same module. */
const source = (helper: string): string => `
import { Pipeline, Step } from '@pipewright/core';

const helper = (): string => ${JSON.stringify(helper)};

@Pipeline({ name: 'module-hash' })
export class ModuleHashPipeline {
  @Step({ cache: true })
  compute() {
    return helper();
  }
}
`;

// Inside the repository, so that the modules find @pipewright/core.
const dir = mkdtempSync(join(__dirname, '.module-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let serial = 0;
type Loaded = { ModuleHashPipeline: new () => unknown };

/** Loads `text` as a fresh `.ts` module (jest compiles it, as ts-node or the CLI would). */
const loadTs = (text: string): Loaded => {
  const file = join(dir, `pipeline-${(serial += 1)}.ts`);
  writeFileSync(file, text);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is written at test time, then loaded
  return require(file) as Loaded;
};

/** Loads `text` the way a tsc build runs: compiled JavaScript with an inline source map embedding the source. */
const loadCompiled = (text: string): Loaded => {
  const name = `compiled-${(serial += 1)}`;
  const output = ts.transpileModule(text, {
    fileName: `${name}.ts`,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: true, inlineSourceMap: true, inlineSources: true },
  });
  const file = join(dir, `${name}.js`);
  writeFileSync(file, output.outputText);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is written at test time, then loaded
  return require(file) as Loaded;
};

const fingerprint = (loaded: Loaded): string | undefined => fingerprintOf(scanPipeline(loaded.ModuleHashPipeline)).compute;

describe('the code identity of a step (cache key and resume check)', () => {
  it('changes when a helper the step calls in its module changes, so the cache is not reused', async () => {
    const store = new MemoryStore();
    const engine = new Engine({ store });
    const first = await engine.run(loadTs(source('one')).ModuleHashPipeline);
    const again = await engine.run(loadTs(source('one')).ModuleHashPipeline);
    const changed = await engine.run(loadTs(source('two')).ModuleHashPipeline);
    expect([first.steps.compute?.status, first.steps.compute?.output]).toEqual(['succeeded', 'one']);
    expect([again.steps.compute?.status, again.steps.compute?.output]).toEqual(['cached', 'one']);
    expect([changed.steps.compute?.status, changed.steps.compute?.output]).toEqual(['succeeded', 'two']);
    await engine.close();
  });

  it('is the same for the same source run as TypeScript or as compiled JavaScript', () => {
    const asTs = fingerprint(loadTs(source('same')));
    expect(asTs).toBeDefined();
    expect(fingerprint(loadCompiled(source('same')))).toBe(asTs);
    expect(fingerprint(loadCompiled(source('other')))).not.toBe(asTs);
  });

  it('changes with cacheVersion, for what the module hash cannot see', () => {
    const build = (cacheVersion?: number): PipelineDefinition =>
      definePipeline({ name: 'versioned' })
        .addFunctionStep('a', () => 1, cacheVersion === undefined ? { cache: true } : { cache: true, cacheVersion })
        .build();
    expect(fingerprintOf(build()).a).toBe(fingerprintOf(build()).a);
    expect(fingerprintOf(build(2)).a).not.toBe(fingerprintOf(build()).a);
    expect(fingerprintOf(build(3)).a).not.toBe(fingerprintOf(build(2)).a);
    expect(() => build(Number.NaN)).toThrow(/cacheVersion must be a string or a number/);
  });
});
