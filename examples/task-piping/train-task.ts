import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { accuracy, trainLogisticRegression } from '../tabular-training/logistic-regression';
import { encodeTable, makeCustomerTable, splitDataset } from '../tabular-training/synthetic-table';

/** Parameters of the template task. */
export interface TrainParams {
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
}

/**
 * The template task of ClearML's task piping example: a self-contained training run whose
 * parameters can be changed on each clone. It makes its own data from `seed`.
 */
@Task({ name: 'churn-training', version: '1.0.0', params: { lr: 0.01, epochs: 30, seed: 5 } })
export class ChurnTraining {
  async execute(ctx: StepContext<TrainParams>): Promise<{ accuracy: number; lr: number }> {
    const { train, test } = splitDataset(encodeTable(makeCustomerTable(300, ctx.params.seed)), 0.25, ctx.params.seed);
    const model = await trainLogisticRegression(train, ctx.params, undefined, ctx.signal);
    const score = accuracy(model, test);
    ctx.metric('accuracy', score);
    ctx.log(`lr=${ctx.params.lr}: accuracy ${score.toFixed(3)}`);
    return { accuracy: score, lr: ctx.params.lr };
  }
}
