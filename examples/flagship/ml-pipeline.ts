import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { AfterStep, BeforeStep, Pipeline, Step, Task } from '@pipewright/core';
import type { ParentsOf, StepContext, StepResult } from '@pipewright/core';

/** A service the training template needs; tsyringe injects it. */
@injectable()
export class DataService {
  rows(count: number): number[] {
    return Array.from({ length: count }, (_, index) => (index * 7919) % 101);
  }
}

/** A task template, cloned by every step that uses it (ClearML's "task as template"). */
@Task({ name: 'train-model', params: { lr: 0.01, epochs: 3 } })
export class TrainModel {
  constructor(private readonly data: DataService) {}

  async execute(ctx: StepContext<{ lr: number; epochs: number }, { prepare: { rows: number } }>) {
    ctx.log(`training with lr=${ctx.params.lr} for ${ctx.params.epochs} epochs`);
    const rows = this.data.rows(ctx.parents.prepare.rows);
    let loss = 1;
    for (let epoch = 1; epoch <= ctx.params.epochs; epoch++) {
      loss *= 1 - Math.min(0.9, ctx.params.lr * 10);
      ctx.metric('loss', Number(loss.toFixed(4)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await ctx.artifacts.put('model', Buffer.from(JSON.stringify({ weights: rows.slice(0, 4), lr: ctx.params.lr })));
    return { accuracy: Number((0.95 - loss / 10).toFixed(3)) };
  }
}

/** The flagship pipeline: DESIGN.md's example, as written. */
@Pipeline({ name: 'ml', version: '1.0.0', params: { rows: 1000, lr: 0.01 } })
export class MlPipeline {
  readonly audited: string[] = [];

  @Step()
  async prepare(ctx: StepContext) {
    return { rows: ctx.pipeline.params.rows as number };
  }

  @Step({ parents: ['prepare'], template: TrainModel, params: { epochs: 5, lr: '${pipeline.lr}' } })
  train!: TrainModel;

  @Step({ parents: ['train'], retry: 2, timeoutMs: 60_000 })
  async evaluate(ctx: StepContext<Record<string, never>, ParentsOf<MlPipeline, 'train'>>) {
    const model = JSON.parse((await ctx.artifacts.get('model')).toString()) as { lr: number };
    return { ok: ctx.parents.train.accuracy > 0.8, lr: model.lr };
  }

  @BeforeStep()
  audit(ctx: StepContext) {
    this.audited.push(ctx.step);
  }

  @AfterStep()
  report(ctx: StepContext, result: StepResult) {
    if (result.status === 'failed') ctx.log(`step ${ctx.step} failed: ${result.error?.message}`);
  }
}
