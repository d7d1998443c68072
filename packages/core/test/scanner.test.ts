import 'reflect-metadata';
import { AfterStep, BeforeStep, Engine, Pipeline, PipelineGraph, registry, scanPipeline, Step, Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

@Task({ name: 'scan-train', version: '2.1.0', params: { lr: 0.01, epochs: 3 } })
class Train {
  execute(ctx: StepContext<{ lr: number; epochs: number }>): { lr: number } {
    return { lr: ctx.params.lr };
  }
}

let constructed = 0;

@Pipeline({ name: 'scan-ml', version: '1.2.3', params: { rows: 10 }, concurrency: 4, timeoutMs: 5_000, abortOnFailure: true })
class Ml {
  constructor() {
    constructed++;
  }

  @Step()
  prepare(): { rows: number } {
    return { rows: 1 };
  }

  @Step({ parents: ['prepare'], template: Train, params: { epochs: 5, lr: '${pipeline.rows}' } })
  train!: Train;

  @Step({ parents: ['train'] })
  evaluate(): boolean {
    return true;
  }

  @BeforeStep() audit(): void {}
  @AfterStep() record(): void {}
}

describe('scanPipeline', () => {
  it('reads the @Pipeline options into the definition', () => {
    const definition = scanPipeline(Ml);
    expect(definition).toMatchObject({
      name: 'scan-ml',
      version: '1.2.3',
      params: { rows: 10 },
      concurrency: 4,
      timeoutMs: 5_000,
      abortOnFailure: true,
      target: Ml,
    });
    expect(definition.beforeStep).toEqual([{ kind: 'method', method: 'audit' }]);
    expect(definition.afterStep).toEqual([{ kind: 'method', method: 'record' }]);
  });

  it('defaults the version to 0.0.0 and abortOnFailure to false', () => {
    @Pipeline({ name: 'scan-defaults' })
    class Defaults {
      @Step() only(): void {}
    }
    expect(scanPipeline(Defaults)).toMatchObject({ version: '0.0.0', abortOnFailure: false, concurrency: undefined, params: {} });
  });

  it('turns @Step members into a PipelineGraph in declaration order', () => {
    const { graph } = scanPipeline(Ml);
    expect(graph).toBeInstanceOf(PipelineGraph);
    expect(graph.order).toEqual(['prepare', 'train', 'evaluate']);
    expect(graph.edges()).toEqual([
      ['prepare', 'train'],
      ['train', 'evaluate'],
    ]);
  });

  it('tells method steps from template steps and keeps the template identity and defaults', () => {
    const { graph } = scanPipeline(Ml);
    expect(graph.get('prepare')?.body).toEqual({ kind: 'method', method: 'prepare' });
    expect(graph.get('train')?.body).toEqual({
      kind: 'template',
      template: { kind: 'task', name: 'scan-train', version: '2.1.0', target: Train, defaults: { lr: 0.01, epochs: 3 } },
    });
  });

  it("declares a template step's parameters as the template defaults overridden by the step's params", () => {
    expect(scanPipeline(Ml).graph.get('train')?.declaredParams).toEqual({ lr: '${pipeline.rows}', epochs: 5 });
  });

  it('makes every step referenced in params a parent, without repeating explicit ones', () => {
    @Pipeline({ name: 'scan-refs' })
    class Refs {
      @Step() a(): number {
        return 1;
      }
      @Step() b(): number {
        return 2;
      }
      @Step({ template: Train, parents: ['a'], params: { lr: '${a.output}', epochs: '${b.output.n}', tag: 'run ${c.id}' } })
      c2!: Train;
      @Step() c(): number {
        return 3;
      }
    }
    const { graph } = scanPipeline(Refs);
    expect(graph.parentsOf('c2')).toEqual(['a', 'b', 'c']);
    expect(graph.order.indexOf('c')).toBeLessThan(graph.order.indexOf('c2'));
  });

  it('does not make a pipeline parameter reference a parent', () => {
    expect(scanPipeline(Ml).graph.parentsOf('train')).toEqual(['prepare']);
  });

  it('does not read references out of params given as a function', () => {
    const { graph } = definitionWithFunctionParams();
    expect(graph.parentsOf('late')).toEqual([]);
    expect(graph.get('late')?.declaredParams).toBeUndefined();
  });

  describe('inheritance', () => {
    class Base {
      @Step()
      load(): number {
        return 2;
      }

      @BeforeStep() baseHook(): void {}
    }

    @Pipeline({ name: 'scan-derived' })
    class Derived extends Base {
      @Step({ parents: ['load'] })
      double(ctx: StepContext): number {
        return (ctx.parents.load as number) * 2;
      }

      @BeforeStep() ownHook(): void {}
    }

    it('includes steps and hooks of base classes, base first', () => {
      const definition = scanPipeline(Derived);
      expect(definition.graph.order).toEqual(['load', 'double']);
      expect(definition.beforeStep).toEqual([
        { kind: 'method', method: 'baseHook' },
        { kind: 'method', method: 'ownHook' },
      ]);
    });

    it('runs inherited method steps on the derived instance', async () => {
      const result = await new Engine().run(Derived);
      expect(result.status).toBe('succeeded');
      expect(result.steps.double?.output).toBe(4);
    });

    it('does not give the base class the derived class steps', () => {
      @Pipeline({ name: 'scan-base-pipeline' })
      class BasePipeline {
        @Step() first(): void {}
      }
      @Pipeline({ name: 'scan-sub-pipeline' })
      class SubPipeline extends BasePipeline {
        @Step({ parents: ['first'] }) second(): void {}
      }
      expect(scanPipeline(SubPipeline).graph.order).toEqual(['first', 'second']);
      expect(scanPipeline(BasePipeline).graph.order).toEqual(['first']);
    });

    it('does not treat a subclass without its own @Pipeline as a pipeline', () => {
      class Unmarked extends Derived {}
      expect(() => scanPipeline(Unmarked)).toThrow(expect.objectContaining({ code: 'NOT_A_PIPELINE' }));
    });
  });

  describe('purity', () => {
    it('is memoised: scanning a class twice returns the same definition', () => {
      expect(scanPipeline(Ml)).toBe(scanPipeline(Ml));
      expect(scanPipeline(Ml).graph).toBe(scanPipeline(Ml).graph);
    });

    it('constructs nothing and registers nothing', () => {
      const before = registry.list().length;
      constructed = 0;
      scanPipeline(Ml);
      @Pipeline({ name: 'scan-fresh' })
      class Fresh {
        constructor() {
          constructed++;
        }
        @Step() only(): void {}
      }
      const afterDecorating = registry.list().length;
      scanPipeline(Fresh);
      expect(constructed).toBe(0);
      expect(registry.list().length).toBe(afterDecorating);
      expect(afterDecorating).toBe(before + 1);
    });

    it('throws the same error on every scan of an invalid class (no partial memo)', () => {
      @Pipeline({ name: 'scan-invalid' })
      class Invalid {
        @Step({ parents: ['nowhere'] }) only(): void {}
      }
      expect(() => scanPipeline(Invalid)).toThrow(expect.objectContaining({ code: 'UNKNOWN_PARENT' }));
      expect(() => scanPipeline(Invalid)).toThrow(expect.objectContaining({ code: 'UNKNOWN_PARENT' }));
    });
  });
});

function definitionWithFunctionParams(): ReturnType<typeof scanPipeline> {
  @Pipeline({ name: 'scan-fn-params' })
  class FunctionParams {
    @Step() early(): number {
      return 1;
    }
    @Step({ template: Train, params: () => ({ lr: '${early.output}' }) }) late!: Train;
  }
  return scanPipeline(FunctionParams);
}
