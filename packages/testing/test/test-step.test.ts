import 'reflect-metadata';
import { definePipeline, ParameterError, Pipeline, Step, StepError } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { testStep, TestingError } from '@pipewright/testing';
import { audited, bodyCalls, DataService, KitMl, resetFixtures } from './fixtures';

class ValidationError extends Error {}

@Pipeline({ name: 'kit-guards' })
class Guards {
  @Step()
  a() {
    return 1;
  }

  @Step()
  b() {
    return 2;
  }

  @Step({ parents: ['a', 'b'], retry: { retries: 3, minTimeout: 60_000 } })
  sum(ctx: StepContext) {
    bodyCalls.sum = (bodyCalls.sum ?? 0) + 1;
    return (ctx.parents.a as number) + (ctx.parents.b as number);
  }

  @Step({ parents: ['a', 'b'] })
  onlyA(ctx: StepContext) {
    return ctx.parents.a;
  }

  @Step({ parents: ['a'] })
  typo(ctx: StepContext) {
    return ctx.parents.aa;
  }

  @Step({ parents: ['a'] })
  validate(ctx: StepContext) {
    if ((ctx.parents.a as number) < 0) throw new ValidationError(`negative: ${ctx.parents.a as number}`);
    return 'valid';
  }

  @Step({ parents: ['a'], preExecute: () => false })
  never() {
    return 'ran';
  }
}

const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error('expected a rejection');
  },
  (error: unknown) => error,
);

beforeEach(resetFixtures);

describe('testStep', () => {
  it('runs a method step with its parents, parameters, references and artifacts, and resolves what it produced', async () => {
    const { output, logs, metrics, attempts, events } = await testStep(KitMl, 'evaluate', {
      parents: { train: { accuracy: 0.9 } },
      parentArtifacts: { train: { model: JSON.stringify({ lr: 0.5 }) } },
      pipelineParams: { threshold: 0.95 },
    });
    expect(output).toEqual({ ok: false, lr: 0.5 });
    expect(logs).toEqual(['threshold 0.95']);
    expect(metrics).toEqual({ accuracy: 0.9 });
    expect(attempts).toBe(1);
    expect(events.map((event) => event.type)).toEqual(['step.created', 'step.queued', 'step.started', 'step.metric', 'step.log', 'step.succeeded']);
    // The parent stand-in is not a step of the user's pipeline: pipeline hooks skip it.
    expect(audited).toEqual(['evaluate']);
    expect(bodyCalls).toEqual({ evaluate: 1 });
  });

  it('runs a template step with its defaults, the step overrides, injected fakes, and returns its artifacts as bytes', async () => {
    const fakeData = { rows: (count: number) => Array.from({ length: count * 2 }, () => 0) };
    const { output, logs, metrics, artifacts } = await testStep(KitMl, 'train', {
      parents: { prepare: { rows: 4 } },
      params: { lr: 0.5 },
      services: [[DataService, fakeData]],
    });
    expect(output).toEqual({ accuracy: 0.75 });
    expect(logs).toEqual(['training on 8 rows with lr=0.5']);
    expect(metrics).toEqual({ loss: 0.2 });
    expect(JSON.parse(artifacts.model?.toString() ?? 'null')).toEqual({ lr: 0.5, rows: 8 });
  });

  it('resolves a reference to a parent from the output the test gave', async () => {
    const { output } = await testStep(KitMl, 'report', { parents: { train: { accuracy: 0.7 } } });
    expect(output).toBe('accuracy 0.7');
  });

  it('runs a step of a built definition', async () => {
    const built = definePipeline({ name: 'kit-built', params: { factor: 2 } })
      .addFunctionStep('double', (ctx) => (ctx.parents.seed as number) * (ctx.pipeline.params.factor as number), { parents: ['seed'] })
      .addFunctionStep('seed', () => 1)
      .build();
    await expect(testStep(built, 'double', { parents: { seed: 21 } })).resolves.toMatchObject({ output: 42 });
  });

  it('names an unknown step', async () => {
    const error = (await rejection(testStep(KitMl, 'evaluat' as 'evaluate'))) as TestingError;
    expect(error).toBeInstanceOf(TestingError);
    expect(error.code).toBe('UNKNOWN_STEP');
    expect(error.step).toBe('evaluat');
    expect(error.message).toContain('prepare, train, evaluate, report');
  });

  it('refuses an output for a step that is not a parent', async () => {
    const error = (await rejection(testStep(KitMl, 'evaluate', { parents: { prepare: { rows: 1 }, train: { accuracy: 1 } } }))) as TestingError;
    expect(error).toMatchObject({ code: 'NOT_A_PARENT', step: 'evaluate', parent: 'prepare' });
  });

  it('names the parent a step reads through ctx.parents that the test did not give, and stops at once though the step retries', async () => {
    const error = (await rejection(testStep(Guards, 'sum', { parents: { a: 1 } }))) as TestingError;
    expect(error).toBeInstanceOf(TestingError);
    expect(error).toMatchObject({ code: 'MISSING_PARENT', step: 'sum', parent: 'b' });
    expect(error.message).toContain('ctx.parents.b');
    expect(bodyCalls.sum).toBe(1);
  });

  it('names the parent a reference reads that the test did not give, before running anything', async () => {
    // The reference is resolved even when the test overrides the parameter, as in a run.
    for (const options of [{}, { params: { accuracy: 0.5 } }]) {
      const error = (await rejection(testStep(KitMl, 'report', options))) as TestingError;
      expect(error).toMatchObject({ code: 'MISSING_PARENT', step: 'report', parent: 'train' });
      expect(error.message).toContain('${train.…} in its parameters');
    }
    expect(bodyCalls).toEqual({});
  });

  it('lets a step leave out a parent it never reads', async () => {
    const { output } = await testStep(Guards, 'onlyA', { parents: { a: 7 } });
    expect(output).toBe(7);
  });

  it('names a read of something that is not a parent', async () => {
    const error = await rejection(testStep(Guards, 'typo', { parents: { a: 1 } }));
    expect(error).toMatchObject({ code: 'UNDECLARED_PARENT', step: 'typo', parent: 'aa' });
  });

  it('rejects with the error the body threw', async () => {
    const error = await rejection(testStep(Guards, 'validate', { parents: { a: -1 } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe('negative: -1');
    await expect(testStep(Guards, 'validate', { parents: { a: 1 } })).resolves.toMatchObject({ output: 'valid' });
  });

  it('rejects with STEP_NOT_SUCCEEDED when a callback skipped the step', async () => {
    const error = await rejection(testStep(Guards, 'never', { parents: { a: 1 } }));
    expect(error).toMatchObject({ code: 'STEP_NOT_SUCCEEDED', step: 'never' });
    expect((error as Error).message).toContain('preExecute returned false');
  });

  it('refuses parameters the step or the pipeline does not declare, as a run does', async () => {
    await expect(testStep(KitMl, 'train', { parents: { prepare: { rows: 1 } }, params: { momentum: 0.9 } })).rejects.toBeInstanceOf(ParameterError);
    await expect(testStep(KitMl, 'prepare', { pipelineParams: { rowz: 1 } })).rejects.toMatchObject({ code: 'UNKNOWN_PARAMETER', parameter: 'rowz' });
  });

  it('rejects with the engine StepError on a step timeout', async () => {
    @Pipeline({ name: 'kit-slow' })
    class Slow {
      @Step({ timeoutMs: 20 })
      wait(ctx: StepContext) {
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('gave up'))));
      }
    }
    const error = await rejection(testStep(Slow, 'wait'));
    expect(error).toBeInstanceOf(StepError);
    expect(error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'wait' });
  });
});
