import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { ParentsOf, StepContext } from '@pipewright/core';
import { TrainClassifier } from './train-classifier';
import type { TrainedClassifier } from './train-classifier';
import { encodeTable, makeCustomerTable, splitDataset } from './synthetic-table';

/**
 * ClearML's tabular training pipeline: load a table, preprocess it, split it, train several
 * models with different hyperparameters at the same time, and keep the best.
 */
@Pipeline({ name: 'tabular-training', version: '1.0.0', params: { rows: 400, seed: 11, testFraction: 0.25 }, concurrency: 4 })
export class TabularTraining {
  @Step()
  load(ctx: StepContext) {
    const rows = makeCustomerTable(ctx.pipeline.params.rows as number, ctx.pipeline.params.seed as number);
    ctx.log(`loaded ${rows.length} rows`);
    return rows;
  }

  @Step({ parents: ['load'] })
  preprocess(ctx: StepContext<object, ParentsOf<TabularTraining, 'load'>>) {
    return encodeTable(ctx.parents.load);
  }

  @Step({ parents: ['preprocess'] })
  split(ctx: StepContext<object, ParentsOf<TabularTraining, 'preprocess'>>) {
    return splitDataset(ctx.parents.preprocess, ctx.pipeline.params.testFraction as number, ctx.pipeline.params.seed as number);
  }

  // Three clones of one template, independent of each other: they train at once.
  @Step({ parents: ['split'], template: TrainClassifier, params: { lr: 0.01, epochs: 40 } })
  train_cautious!: TrainClassifier;

  @Step({ parents: ['split'], template: TrainClassifier, params: { lr: 0.5, epochs: 40 } })
  train_balanced!: TrainClassifier;

  @Step({ parents: ['split'], template: TrainClassifier, params: { lr: 2, epochs: 40, l2: 0.3 } })
  train_bold!: TrainClassifier;

  @Step({ parents: ['train_cautious', 'train_balanced', 'train_bold'] })
  pick_best(ctx: StepContext<object, ParentsOf<TabularTraining, 'train_cautious' | 'train_balanced' | 'train_bold'>>) {
    const candidates = Object.entries(ctx.parents) as Array<[string, TrainedClassifier]>;
    const [step, best] = candidates.reduce((a, b) => (b[1].accuracy > a[1].accuracy ? b : a));
    ctx.log(`best: ${step} with accuracy ${best.accuracy.toFixed(3)}`);
    return { step, accuracy: best.accuracy, params: best.params };
  }
}
