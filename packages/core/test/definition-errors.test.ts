import 'reflect-metadata';
import {
  definePipeline,
  Engine,
  EngineError,
  MemoryStore,
  ParameterError,
  Pipeline,
  PipelineDefinitionError,
  PipewrightError,
  Step,
  Task,
} from '@pipewright/core';
import type { PipelineSource, RunOptions, StepContext } from '@pipewright/core';

/** Step bodies append here: a refused pipeline must leave it empty. */
const ran: string[] = [];
const work = (name: string) => (): string => {
  ran.push(name);
  return name;
};

/**
 * Asserts that a pipeline cannot run at all: `start()` throws synchronously, `run()` rejects,
 * no step body ran and the store recorded no run. Returns the error for further checks.
 */
const refuse = async (source: PipelineSource, options: RunOptions = {}): Promise<PipewrightError> => {
  ran.length = 0;
  const store = new MemoryStore();
  const engine = new Engine({ store });
  let thrown: unknown;
  try {
    engine.start(source, options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PipewrightError);
  const rejected = await engine.run(source, options).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(rejected).toBeInstanceOf(PipewrightError);
  expect((rejected as PipewrightError).code).toBe((thrown as PipewrightError).code);
  // Give a wrongly started run the chance to run steps before we look.
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(ran).toEqual([]);
  expect(store.listRuns()).toEqual([]);
  await engine.close();
  return thrown as PipewrightError;
};

const refuseDefinition = async (source: PipelineSource, options: RunOptions = {}): Promise<PipelineDefinitionError> => {
  const error = await refuse(source, options);
  expect(error).toBeInstanceOf(PipelineDefinitionError);
  expect(error).not.toBeInstanceOf(ParameterError);
  expect(error.name).toBe('PipelineDefinitionError');
  return error as PipelineDefinitionError;
};

const refuseParameters = async (source: PipelineSource, options: RunOptions): Promise<ParameterError> => {
  const error = await refuse(source, options);
  expect(error).toBeInstanceOf(ParameterError);
  expect(error).not.toBeInstanceOf(PipelineDefinitionError);
  expect(error.name).toBe('ParameterError');
  return error as ParameterError;
};

/** The builder throws at `build()`; the error must be the same typed error. */
const buildError = (build: () => unknown): PipelineDefinitionError => {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PipelineDefinitionError);
  return thrown as PipelineDefinitionError;
};

@Task({ name: 'defs-echo', params: { value: 1, label: 'x' } })
class Echo {
  execute(ctx: StepContext<{ value: number; label: string }>): number {
    ran.push(`echo:${ctx.step}`);
    return ctx.params.value;
  }
}

describe('a pipeline that cannot run is refused before anything starts', () => {
  describe('CYCLE', () => {
    @Pipeline({ name: 'defs-cycle' })
    class Cycle {
      @Step({ parents: ['c'] }) a(): string {
        return work('a')();
      }
      @Step({ parents: ['a'] }) b(): string {
        return work('b')();
      }
      @Step({ parents: ['b'] }) c(): string {
        return work('c')();
      }
    }

    it('shows exactly the cycle path a → b → c → a and names the pipeline', async () => {
      const error = await refuseDefinition(Cycle);
      expect(error.code).toBe('CYCLE');
      expect(error.pipeline).toBe('defs-cycle');
      expect(error.cycle).toEqual(['a', 'b', 'c', 'a']);
      expect(error.message).toContain('a → b → c → a');
      expect(error.message).toContain('defs-cycle');
    });

    it('leaves out steps that lead into or hang off the cycle', async () => {
      // `lead` is declared first and feeds the cycle; `tail` depends on it and is declared before it.
      @Pipeline({ name: 'defs-cycle-entry' })
      class LeadIn {
        @Step() lead(): string {
        return work('lead')();
      }
        @Step({ parents: ['b'] }) tail(): string {
        return work('tail')();
      }
        @Step({ parents: ['lead', 'c'] }) a(): string {
        return work('a')();
      }
        @Step({ parents: ['a'] }) b(): string {
        return work('b')();
      }
        @Step({ parents: ['b'] }) c(): string {
        return work('c')();
      }
      }
      const error = await refuseDefinition(LeadIn);
      expect(error.code).toBe('CYCLE');
      expect(error.cycle).toEqual(['a', 'b', 'c', 'a']);
      expect(error.message).toContain('a → b → c → a');
      expect(error.message).not.toContain('lead');
      expect(error.message).not.toContain('tail');
    });

    it('reports a step that is its own parent as a one-step cycle', async () => {
      const definition = (): unknown =>
        definePipeline({ name: 'defs-self-parent' }).addFunctionStep('loop', work('loop'), { parents: ['loop'] }).build();
      const error = buildError(definition);
      expect(error.code).toBe('CYCLE');
      expect(error.cycle).toEqual(['loop', 'loop']);
      expect(error.message).toContain('loop → loop');
    });

    it('is found through references as well as parents', () => {
      const error = buildError(() =>
        definePipeline({ name: 'defs-cycle-refs' })
          .addFunctionStep('x', work('x'), { params: { from: '${y.output}' } })
          .addFunctionStep('y', work('y'), { parents: ['x'] })
          .build(),
      );
      expect(error.code).toBe('CYCLE');
      expect(error.cycle).toEqual(['x', 'y', 'x']);
    });
  });

  describe('UNKNOWN_PARENT', () => {
    @Pipeline({ name: 'defs-unknown-parent' })
    class UnknownParent {
      @Step() prepare(): string {
        return work('prepare')();
      }
      @Step({ parents: ['prepar'] }) train(): string {
        return work('train')();
      }
    }

    it('names the step and the missing parent', async () => {
      const error = await refuseDefinition(UnknownParent);
      expect(error.code).toBe('UNKNOWN_PARENT');
      expect(error).toMatchObject({ pipeline: 'defs-unknown-parent', step: 'train', missing: 'prepar' });
      expect(error.message).toContain("'train'");
      expect(error.message).toContain("'prepar'");
    });

    it('comes from the builder too', () => {
      const error = buildError(() => definePipeline({ name: 'defs-b-parent' }).addFunctionStep('b', work('b'), { parents: ['a'] }).build());
      expect(error).toMatchObject({ code: 'UNKNOWN_PARENT', pipeline: 'defs-b-parent', step: 'b', missing: 'a' });
    });
  });

  describe('DUPLICATE_STEP', () => {
    it('refuses two @Step decorators on one member', async () => {
      @Pipeline({ name: 'defs-duplicate' })
      class Duplicate {
        @Step()
        @Step({ parents: [] })
        twice(): number {
          ran.push('twice');
          return 1;
        }
      }
      const error = await refuseDefinition(Duplicate);
      expect(error).toMatchObject({ code: 'DUPLICATE_STEP', pipeline: 'defs-duplicate', step: 'twice' });
      expect(error.message).toContain("'twice'");
    });

    it('refuses a builder that adds a name twice', async () => {
      const error = buildError(() =>
        definePipeline({ name: 'defs-b-duplicate' }).addFunctionStep('a', work('a')).addStep('a', Echo).build(),
      );
      expect(error).toMatchObject({ code: 'DUPLICATE_STEP', pipeline: 'defs-b-duplicate', step: 'a' });
      expect(error.message).toContain("'a'");
    });
  });

  describe('NOT_A_PIPELINE', () => {
    it('refuses a class without @Pipeline and names it', async () => {
      class Plain {
        @Step() only(): string {
        return work('only')();
      }
      }
      const error = await refuseDefinition(Plain);
      expect(error.code).toBe('NOT_A_PIPELINE');
      expect(error.pipeline).toBe('Plain');
      expect(error.message).toContain('Plain');
      expect(error.message).toContain('@Pipeline');
    });

    it('refuses a @Task given where a pipeline is expected', async () => {
      const error = await refuseDefinition(Echo);
      expect(error.code).toBe('NOT_A_PIPELINE');
    });

    it('refuses a plain object', async () => {
      const error = await refuseDefinition({ name: 'not-a-class' } as unknown as PipelineSource);
      expect(error.code).toBe('NOT_A_PIPELINE');
    });
  });

  describe('INVALID_TEMPLATE', () => {
    it('refuses a property step without a template', async () => {
      @Pipeline({ name: 'defs-no-template' })
      class NoTemplate {
        @Step() first(): string {
        return work('first')();
      }
        @Step() missing!: unknown;
      }
      const error = await refuseDefinition(NoTemplate);
      expect(error).toMatchObject({ code: 'INVALID_TEMPLATE', pipeline: 'defs-no-template', step: 'missing' });
      expect(error.message).toContain("'missing'");
    });

    it('refuses a template class that is neither @Task nor @Pipeline', async () => {
      class NotATask {
        execute(): number {
          return 1;
        }
      }
      @Pipeline({ name: 'defs-not-task' })
      class NotTask {
        @Step({ template: NotATask }) clone!: NotATask;
      }
      const error = await refuseDefinition(NotTask);
      expect(error).toMatchObject({ code: 'INVALID_TEMPLATE', step: 'clone' });
      expect(error.message).toContain('NotATask');
    });

    it('refuses a @Task without execute()', async () => {
      @Task({ name: 'defs-no-execute' })
      class NoExecute {}
      @Pipeline({ name: 'defs-task-no-execute' })
      class UsesNoExecute {
        @Step({ template: NoExecute }) clone!: NoExecute;
      }
      const error = await refuseDefinition(UsesNoExecute);
      expect(error).toMatchObject({ code: 'INVALID_TEMPLATE', step: 'clone' });
      expect(error.message).toContain('execute');
    });

    it('refuses a method step that also names a template', async () => {
      @Pipeline({ name: 'defs-method-template' })
      class MethodWithTemplate {
        @Step({ template: Echo })
        both(): number {
          ran.push('both');
          return 1;
        }
      }
      const error = await refuseDefinition(MethodWithTemplate);
      expect(error).toMatchObject({ code: 'INVALID_TEMPLATE', step: 'both' });
    });

    it('comes from the builder for a template that is not a @Task', () => {
      class Bare {}
      const error = buildError(() => definePipeline({ name: 'defs-b-template' }).addStep('x', Bare).build());
      expect(error).toMatchObject({ code: 'INVALID_TEMPLATE', step: 'x' });
    });
  });

  describe('BAD_REFERENCE', () => {
    it('refuses a reference to an unknown step, naming it and listing the steps', async () => {
      @Pipeline({ name: 'defs-ref-step' })
      class RefStep {
        @Step() prepare(): string {
        return work('prepare')();
      }
        @Step({ template: Echo, params: { value: '${prepre.output.rows}' } }) train!: Echo;
      }
      const error = await refuseDefinition(RefStep);
      expect(error).toMatchObject({ code: 'BAD_REFERENCE', pipeline: 'defs-ref-step', step: 'train', missing: 'prepre' });
      expect(error.message).toContain('${prepre.output.rows}');
      expect(error.message).toContain('prepare');
    });

    it('refuses a reference to an unknown pipeline parameter, listing the declared ones', async () => {
      @Pipeline({ name: 'defs-ref-param', params: { rows: 10, lr: 0.1 } })
      class RefParam {
        @Step({ template: Echo, params: { value: '${pipeline.row}' } }) train!: Echo;
      }
      const error = await refuseDefinition(RefParam);
      expect(error).toMatchObject({ code: 'BAD_REFERENCE', step: 'train', missing: 'row' });
      expect(error.message).toContain('rows, lr');
    });

    it.each([
      ['an unclosed reference', '${prepare.output'],
      ['a reference with no field', '${prepare}'],
      ['a reference to an unknown kind of field', '${prepare.outputs.x}'],
      ['an empty reference', '${}'],
      ['a pipeline reference without a name', '${pipeline}'],
    ])('refuses a malformed reference: %s', async (_what, text) => {
      const error = buildError(() =>
        definePipeline({ name: 'defs-malformed' })
          .addFunctionStep('prepare', work('prepare'))
          .addStep('train', Echo, { params: { label: text } })
          .build(),
      );
      expect(error).toMatchObject({ code: 'BAD_REFERENCE', step: 'train' });
      expect(error.message).toContain("'train'");
    });

    it('refuses a malformed reference on a decorated class through the engine', async () => {
      @Pipeline({ name: 'defs-malformed-class' })
      class Malformed {
        @Step({ template: Echo, params: { label: 'rows: ${pipeline.' } }) train!: Echo;
      }
      const error = await refuseDefinition(Malformed);
      expect(error).toMatchObject({ code: 'BAD_REFERENCE', step: 'train' });
    });

    it('refuses a step that references itself', async () => {
      @Pipeline({ name: 'defs-self-ref' })
      class SelfRef {
        @Step({ template: Echo, params: { value: '${train.output}' } }) train!: Echo;
      }
      const error = await refuseDefinition(SelfRef);
      expect(error).toMatchObject({ code: 'BAD_REFERENCE', step: 'train', missing: 'train' });
      expect(error.message).toContain('itself');
    });
  });

  describe('INVALID_OPTION', () => {
    it.each([
      ['a negative retry count', { retry: -1 }],
      ['a retry count that is not a number', { retry: 'twice' as unknown as number }],
      ['negative retries in retry options', { retry: { retries: -2 } }],
      ['a zero timeoutMs', { timeoutMs: 0 }],
      ['a timeoutMs that is not finite', { timeoutMs: Number.NaN }],
    ])('refuses %s on a step', (_what, options) => {
      const error = buildError(() => definePipeline({ name: 'defs-option' }).addFunctionStep('s', work('s'), options).build());
      expect(error).toMatchObject({ code: 'INVALID_OPTION', pipeline: 'defs-option', step: 's' });
    });

    it('refuses a step option on a decorated class through the engine', async () => {
      @Pipeline({ name: 'defs-option-class' })
      class BadRetry {
        @Step({ retry: -1 }) s(): string {
        return work('s')();
      }
      }
      const error = await refuseDefinition(BadRetry);
      expect(error).toMatchObject({ code: 'INVALID_OPTION', step: 's' });
      expect(error.message).toContain('retry');
    });

    it.each([0, -1, 1.5])('refuses a pipeline concurrency of %p', async (concurrency) => {
      @Pipeline({ name: `defs-concurrency-${concurrency}`, concurrency })
      class BadConcurrency {
        @Step() s(): string {
        return work('s')();
      }
      }
      const error = await refuseDefinition(BadConcurrency);
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toContain('concurrency');
    });

    it.each([0, -3, 2.5])('refuses a run concurrency of %p with an EngineError', async (concurrency) => {
      @Pipeline({ name: 'defs-run-concurrency' })
      class Fine {
        @Step() s(): string {
        return work('s')();
      }
      }
      const error = await refuse(Fine, { concurrency });
      expect(error).toBeInstanceOf(EngineError);
      expect(error.code).toBe('INVALID_OPTION');
    });
  });

  describe('UNKNOWN_PARAMETER', () => {
    @Pipeline({ name: 'defs-params', params: { rows: 100, mode: 'fast' } })
    class WithParams {
      @Step() prepare(): string {
        return work('prepare')();
      }
      @Step({ template: Echo, parents: ['prepare'] }) train!: Echo;
    }

    it('names an unknown top-level parameter and lists the declared ones', async () => {
      const error = await refuseParameters(WithParams, { params: { rowz: 5 } });
      expect(error).toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: 'rowz', step: undefined, declared: ['rows', 'mode'] });
      expect(error.message).toContain("'rowz'");
      expect(error.message).toContain('rows, mode');
    });

    it("names an unknown 'step.param' and lists the step's declared parameters", async () => {
      const error = await refuseParameters(WithParams, { params: { 'train.epochs': 5 } });
      expect(error).toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: 'train.epochs', step: 'train', declared: ['value', 'label'] });
      expect(error.message).toContain("'epochs'");
      expect(error.message).toContain('value, label');
    });

    it("names a 'step.param' addressed to a step that does not exist and lists the steps", async () => {
      const error = await refuseParameters(WithParams, { params: { 'evaluate.x': 1 } });
      expect(error).toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: 'evaluate.x', step: 'evaluate', declared: ['prepare', 'train'] });
      expect(error.message).toContain("'evaluate'");
    });

    it.each(['toString', 'constructor', 'hasOwnProperty'])('does not take the inherited Object member %p for a declared parameter', async (name) => {
      const error = await refuseParameters(WithParams, { params: { [name]: 1 } });
      expect(error).toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: name });
      const stepError = await refuseParameters(WithParams, { params: { [`train.${name}`]: 1 } });
      expect(stepError).toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: `train.${name}`, step: 'train' });
    });

    it('says so when the pipeline declares no parameters', async () => {
      const definition = definePipeline({ name: 'defs-no-params' }).addFunctionStep('only', work('only')).build();
      const error = await refuseParameters(definition, { params: { anything: 1 } });
      expect(error.declared).toEqual([]);
      expect(error.message).toContain('(none)');
    });
  });

  describe('PARAMETER_TYPE', () => {
    @Pipeline({ name: 'defs-param-type', params: { rows: 100, tags: ['a'], mode: 'fast' } })
    class Typed {
      @Step({ template: Echo }) train!: Echo;
    }

    it('refuses a pipeline parameter whose type differs from its default, with expected and actual types', async () => {
      const error = await refuseParameters(Typed, { params: { rows: '100' } });
      expect(error).toMatchObject({ code: 'PARAMETER_TYPE', parameter: 'rows', expected: 'number', actual: 'string' });
      expect(error.message).toContain("'rows'");
    });

    it('tells arrays and null from objects', async () => {
      const array = await refuseParameters(Typed, { params: { tags: { a: 1 } } });
      expect(array).toMatchObject({ expected: 'array', actual: 'object' });
      const nulled = await refuseParameters(Typed, { params: { mode: null } });
      expect(nulled).toMatchObject({ expected: 'string', actual: 'null' });
    });

    it("refuses a 'step.param' whose type differs from the template's default", async () => {
      const error = await refuseParameters(Typed, { params: { 'train.value': 'high' } });
      expect(error).toMatchObject({ code: 'PARAMETER_TYPE', parameter: 'train.value', step: 'train', expected: 'number', actual: 'string' });
    });
  });
});
