import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { ParentsOf, StepContext } from '@pipewright/core';
import { accuracy, trainLogisticRegression } from '../tabular-training/logistic-regression';
import type { Dataset } from '../tabular-training/synthetic-table';

const EMPTY: Dataset = { x: [], y: [] };

/** The training pipeline: its data arrives as pipeline parameters from whoever runs it. */
@Pipeline({ name: 'training', version: '1.0.0', params: { train: EMPTY, test: EMPTY, lr: 0.5, epochs: 40 } })
export class Training {
  @Step()
  async fit(ctx: StepContext) {
    const train = ctx.pipeline.params.train as Dataset;
    if (train.y.length === 0) throw new Error('no training rows were given');
    return trainLogisticRegression(train, { lr: ctx.pipeline.params.lr as number, epochs: ctx.pipeline.params.epochs as number }, undefined, ctx.signal);
  }

  @Step({ parents: ['fit'] })
  evaluate(ctx: StepContext<object, ParentsOf<Training, 'fit'>>) {
    const score = accuracy(ctx.parents.fit, ctx.pipeline.params.test as Dataset);
    ctx.metric('accuracy', score);
    return { accuracy: score };
  }
}
