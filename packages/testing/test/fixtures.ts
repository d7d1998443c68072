import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { BeforeStep, Pipeline, Step, Task } from '@pipewright/core';
import type { ParentsOf, StepContext } from '@pipewright/core';

/** A service the training template needs; tests replace it through `services`. */
@injectable()
export class DataService {
  rows(count: number): number[] {
    return Array.from({ length: count }, (_, index) => index);
  }
}

/** Which steps the pipeline's `@BeforeStep` hook saw, across a test. */
export const audited: string[] = [];
/** How many times each real body ran, across a test. */
export const bodyCalls: Record<string, number> = {};
const called = (step: string): void => {
  bodyCalls[step] = (bodyCalls[step] ?? 0) + 1;
};

@Task({ name: 'kit-train', params: { lr: 0.01, epochs: 3 } })
export class Train {
  constructor(private readonly data: DataService) {}

  async execute(ctx: StepContext<{ lr: number; epochs: number }, { prepare: { rows: number } }>) {
    called('train');
    const rows = this.data.rows(ctx.parents.prepare.rows);
    ctx.log(`training on ${rows.length} rows with lr=${ctx.params.lr}`);
    ctx.metric('loss', 1 / ctx.params.epochs);
    await ctx.artifacts.put('model', JSON.stringify({ lr: ctx.params.lr, rows: rows.length }));
    return { accuracy: Math.min(0.99, 0.5 + ctx.params.epochs * 0.05) };
  }
}

@Pipeline({ name: 'kit-ml', params: { rows: 100, threshold: 0.8 } })
export class KitMl {
  @Step()
  prepare(ctx: StepContext) {
    called('prepare');
    return { rows: ctx.pipeline.params.rows as number };
  }

  @Step({ parents: ['prepare'], template: Train, params: { epochs: 5 } })
  train!: Train;

  @Step({ parents: ['train'], params: { minAccuracy: '${pipeline.threshold}' } })
  async evaluate(ctx: StepContext<{ minAccuracy: number }, ParentsOf<KitMl, 'train'>>) {
    called('evaluate');
    const model = JSON.parse((await ctx.artifacts.get('model')).toString()) as { lr: number };
    ctx.metric('accuracy', ctx.parents.train.accuracy);
    ctx.log(`threshold ${ctx.params.minAccuracy}`);
    return { ok: ctx.parents.train.accuracy >= ctx.params.minAccuracy, lr: model.lr };
  }

  @Step({ params: { accuracy: '${train.output.accuracy}' } })
  report(ctx: StepContext<{ accuracy: number }>) {
    called('report');
    return `accuracy ${ctx.params.accuracy}`;
  }

  @BeforeStep()
  audit(ctx: StepContext) {
    audited.push(ctx.step);
  }
}

/** Resets the counters a test reads. */
export const resetFixtures = (): void => {
  audited.length = 0;
  for (const key of Object.keys(bodyCalls)) delete bodyCalls[key];
};
