import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import type { Split } from './process-dataset.task';
import { SPECIES } from './synthetic-iris';

/** Parameters of {@link TrainModelTask}. */
export interface TrainModelParams {
  /** The processing step's id (ClearML's `${stage_process.id}`), recorded with the model. */
  readonly dataset_task_id: string;
  readonly epochs: number;
  readonly lr: number;
}

/** What {@link TrainModelTask} returns. */
export interface TrainModelOutput {
  readonly accuracy: number;
  readonly trainAccuracy: number;
  readonly epochs: number;
  readonly datasetTaskId: string;
}

type Weights = number[][];

const softmax = (scores: number[]): number[] => {
  const top = Math.max(...scores);
  const exps = scores.map((score) => Math.exp(score - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
};

/** Class scores of one row; the last weight of each class is its bias. */
const scores = (weights: Weights, row: readonly number[]): number[] =>
  weights.map((w) => row.reduce((sum, value, f) => sum + value * (w[f] ?? 0), w[row.length] ?? 0));

const predict = (weights: Weights, row: readonly number[]): number => {
  const s = scores(weights, row);
  return s.indexOf(Math.max(...s));
};

const accuracyOf = (weights: Weights, split: Split): number =>
  split.y.filter((label, index) => predict(weights, split.x[index] ?? []) === label).length / Math.max(1, split.y.length);

/**
 * ClearML's "Pipeline step 3 train model": reads the processed splits from its parent, trains a
 * softmax regression by gradient descent (standing in for scikit-learn's LogisticRegression),
 * reports loss and accuracy as metrics and stores the weights as the `model` artifact.
 */
@Task({ name: 'pipeline step 3 train model', params: { dataset_task_id: '', epochs: 100, lr: 0.5 } })
export class TrainModelTask {
  async execute(ctx: StepContext<TrainModelParams>): Promise<TrainModelOutput> {
    const train = JSON.parse((await ctx.artifacts.get('train')).toString('utf8')) as Split;
    const test = JSON.parse((await ctx.artifacts.get('test')).toString('utf8')) as Split;
    const features = train.x[0]?.length ?? 0;
    const weights: Weights = SPECIES.map(() => new Array<number>(features + 1).fill(0));
    const { epochs, lr } = ctx.params;

    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const gradient: Weights = weights.map((w) => w.map(() => 0));
      let loss = 0;
      train.x.forEach((row, index) => {
        const label = train.y[index] ?? 0;
        const p = softmax(scores(weights, row));
        loss -= Math.log(Math.max(p[label] ?? 0, 1e-12));
        p.forEach((probability, k) => {
          const error = probability - (k === label ? 1 : 0);
          const g = gradient[k] as number[];
          row.forEach((value, f) => (g[f] = (g[f] ?? 0) + error * value));
          g[features] = (g[features] ?? 0) + error;
        });
      });
      weights.forEach((w, k) => w.forEach((_, f) => (w[f] = (w[f] ?? 0) - (lr * (gradient[k]?.[f] ?? 0)) / train.x.length)));
      if (epoch % 25 === 0 || epoch === epochs) ctx.metric('loss', Number((loss / train.x.length).toFixed(4)));
    }

    const accuracy = accuracyOf(weights, test);
    const trainAccuracy = accuracyOf(weights, train);
    ctx.metric('accuracy', accuracy);
    ctx.metric('train_accuracy', trainAccuracy);
    await ctx.artifacts.put('model', JSON.stringify({ weights, species: SPECIES, datasetTaskId: ctx.params.dataset_task_id }));
    ctx.log(`trained ${epochs} epochs at lr=${lr}: test accuracy ${accuracy.toFixed(3)}`);
    return { accuracy, trainAccuracy, epochs, datasetTaskId: ctx.params.dataset_task_id };
  }
}
