import 'reflect-metadata';
import { expectTypeOf } from 'expect-type';
import { Engine, Pipeline, Step, Task } from '@pipewright/core';
import type {
  ErrorInfo,
  OutputOf,
  ParamsOf,
  ParentsOf,
  PipelineEvent,
  RunHandle,
  RunResult,
  RunStatus,
  StepContext,
  StepResult,
} from '@pipewright/core';

// These specifications are checked by the compiler (`npx tsc -p tsconfig.json --noEmit` includes
// test files); the `it` blocks also run the pipeline so that the typed accesses are real.

@Task({ name: 'types-train', params: { lr: 0.01, epochs: 3 } })
class TrainModel {
  async execute(ctx: StepContext<{ lr: number; epochs: number }>): Promise<{ accuracy: number; lr: number }> {
    return { accuracy: 0.91, lr: ctx.params.lr };
  }
}

@Task({ name: 'types-sync-template' })
class Label {
  execute(ctx: StepContext<{ text: string }>): string {
    return ctx.params.text.toUpperCase();
  }
}

@Pipeline({ name: 'types-ml', params: { rows: 3 } })
class Ml {
  @Step()
  async prepare(ctx: StepContext) {
    return { rows: ctx.pipeline.params.rows as number, names: ['a', 'b'] };
  }

  @Step({ parents: ['prepare'], template: TrainModel, params: { epochs: 5 } })
  train!: TrainModel;

  @Step({ template: Label, params: { text: 'hi' } })
  label!: Label;

  @Step()
  constant() {
    return 42 as const;
  }

  @Step({ parents: ['prepare', 'train', 'label', 'constant'] })
  async evaluate(ctx: StepContext<Record<string, never>, ParentsOf<Ml, 'prepare' | 'train' | 'label' | 'constant'>>) {
    const { prepare, train, label, constant } = ctx.parents;
    return { ok: train.accuracy > 0.8, rows: prepare.rows, first: prepare.names[0], label: label.toLowerCase(), constant };
  }
}

describe('types', () => {
  it('derives parents from a method step: its resolved return type', () => {
    expectTypeOf<ParentsOf<Ml, 'prepare'>>().toEqualTypeOf<{ readonly prepare: { rows: number; names: string[] } }>();
    expectTypeOf<ParentsOf<Ml, 'constant'>>().toEqualTypeOf<{ readonly constant: 42 }>();
  });

  it("derives parents from a template step: its execute's resolved return type", () => {
    expectTypeOf<ParentsOf<Ml, 'train'>>().toEqualTypeOf<{ readonly train: { accuracy: number; lr: number } }>();
    expectTypeOf<ParentsOf<Ml, 'label'>>().toEqualTypeOf<{ readonly label: string }>();
  });

  it('combines several parents', () => {
    type Parents = ParentsOf<Ml, 'prepare' | 'train'>;
    expectTypeOf<Parents['prepare']['rows']>().toEqualTypeOf<number>();
    expectTypeOf<Parents['train']['accuracy']>().toEqualTypeOf<number>();
    expectTypeOf<keyof Parents>().toEqualTypeOf<'prepare' | 'train'>();
  });

  it('refuses parents that are not members of the pipeline', () => {
    // @ts-expect-error 'nope' is not a step of Ml
    type Wrong = ParentsOf<Ml, 'nope'>;
    expectTypeOf<Wrong>().not.toBeNever();
  });

  it('derives a template params with ParamsOf and outputs with OutputOf', () => {
    expectTypeOf<ParamsOf<TrainModel>>().toEqualTypeOf<{ lr: number; epochs: number }>();
    expectTypeOf<ParamsOf<Label>>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<OutputOf<TrainModel>>().toEqualTypeOf<{ accuracy: number; lr: number }>();
    expectTypeOf<OutputOf<Ml['prepare']>>().toEqualTypeOf<{ rows: number; names: string[] }>();
  });

  it('makes StepContext generic over params and parents', () => {
    type Ctx = StepContext<{ lr: number }, ParentsOf<Ml, 'train'>>;
    expectTypeOf<Ctx['params']>().toEqualTypeOf<{ lr: number }>();
    expectTypeOf<Ctx['parents']['train']>().toEqualTypeOf<{ accuracy: number; lr: number }>();
    expectTypeOf<Ctx['pipeline']['params']>().toEqualTypeOf<Readonly<Record<string, unknown>>>();
    expectTypeOf<Ctx['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<Ctx['attempt']>().toEqualTypeOf<number>();

    const check = (ctx: Ctx): void => {
      expectTypeOf(ctx.params.lr).toBeNumber();
      // @ts-expect-error train has no `loss`
      void ctx.parents.train.loss;
      // @ts-expect-error `lr` is a number, not a string
      void ctx.params.lr.toUpperCase();
      // @ts-expect-error `prepare` is not among these parents
      void ctx.parents.prepare;
    };
    expectTypeOf(check).parameter(0).toEqualTypeOf<Ctx>();
  });

  it('leaves an unparameterised StepContext open', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an unparameterised context is typed with any, which is what this checks
    expectTypeOf<StepContext['params']>().toEqualTypeOf<Record<string, any>>();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    expectTypeOf<StepContext['parents']>().toEqualTypeOf<Record<string, any>>();
  });

  it('types the engine API', () => {
    const engine = new Engine();
    expectTypeOf(engine.run).returns.toEqualTypeOf<Promise<RunResult>>();
    expectTypeOf(engine.start).returns.toEqualTypeOf<RunHandle>();
    expectTypeOf<RunResult['status']>().toEqualTypeOf<RunStatus>();
    expectTypeOf<RunStatus>().toEqualTypeOf<'succeeded' | 'failed' | 'aborted'>();
    expectTypeOf<RunResult['steps']>().toEqualTypeOf<Readonly<Record<string, StepResult>>>();
    expectTypeOf<StepResult['error']>().toEqualTypeOf<ErrorInfo | undefined>();
  });

  it('narrows PipelineEvent on its type', () => {
    const describeEvent = (event: PipelineEvent): string => {
      switch (event.type) {
        case 'step.failed':
          expectTypeOf(event.error).toEqualTypeOf<ErrorInfo>();
          return event.step;
        case 'run.started':
          expectTypeOf(event.pipeline).toBeString();
          // @ts-expect-error run events have no step
          return event.step;
        default:
          return event.type;
      }
    };
    expectTypeOf(describeEvent).returns.toBeString();
  });

  it('runs the typed pipeline to the values the types promise', async () => {
    const result = await new Engine().run(Ml);
    expect(result.status).toBe('succeeded');
    expect(result.steps.evaluate?.output).toEqual({ ok: true, rows: 3, first: 'a', label: 'hi', constant: 42 });
  });
});
