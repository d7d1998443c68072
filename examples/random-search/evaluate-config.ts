import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { accuracy, logLoss, trainLogisticRegression } from '../tabular-training/logistic-regression';
import { encodeTable, makeCustomerTable, splitDataset } from '../tabular-training/synthetic-table';

/** The hyperparameters one trial tries. */
export interface TrialParams {
  readonly lr: number;
  readonly epochs: number;
  readonly l2: number;
}

/** How one trial scored. */
export interface TrialScore extends TrialParams {
  readonly accuracy: number;
  readonly loss: number;
}

/** One trial of the search: trains on a fixed seeded split and scores on its validation rows. */
@Task({ name: 'evaluate-config', version: '1.0.0', params: { lr: 0.1, epochs: 20, l2: 0 } })
export class EvaluateConfig {
  async execute(ctx: StepContext<TrialParams>): Promise<TrialScore> {
    const { train, test } = splitDataset(encodeTable(makeCustomerTable(300, 3)), 0.3, 3);
    const model = await trainLogisticRegression(train, ctx.params, undefined, ctx.signal);
    const score = { ...ctx.params, accuracy: accuracy(model, test), loss: logLoss(model, test) };
    ctx.metric('accuracy', score.accuracy);
    ctx.metric('loss', score.loss);
    return score;
  }
}
