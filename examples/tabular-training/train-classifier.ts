import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { accuracy, trainLogisticRegression } from './logistic-regression';
import type { LinearModel } from './logistic-regression';
import type { Dataset } from './synthetic-table';

/** Parameters of {@link TrainClassifier}. */
export interface TrainClassifierParams {
  readonly lr: number;
  readonly epochs: number;
  readonly l2: number;
}

/** What a training step hands on: its model and how it scored on the held-out rows. */
export interface TrainedClassifier {
  readonly model: LinearModel;
  readonly accuracy: number;
  readonly params: TrainClassifierParams;
}

/**
 * The training task used as a template: every `train_*` step clones it with its own
 * hyperparameters. It reads the split from its parent `split` and reports a loss metric per epoch.
 */
@Task({ name: 'train-classifier', version: '1.0.0', params: { lr: 0.1, epochs: 40, l2: 0 } })
export class TrainClassifier {
  async execute(ctx: StepContext<TrainClassifierParams, { split: { train: Dataset; test: Dataset } }>): Promise<TrainedClassifier> {
    const { train, test } = ctx.parents.split;
    ctx.log(`training with lr=${ctx.params.lr}, epochs=${ctx.params.epochs}, l2=${ctx.params.l2}`);
    const model = await trainLogisticRegression(train, ctx.params, (_, loss) => ctx.metric('loss', loss), ctx.signal);
    const score = accuracy(model, test);
    ctx.metric('accuracy', score);
    await ctx.artifacts.put('model', JSON.stringify(model));
    return { model, accuracy: score, params: ctx.params };
  }
}
