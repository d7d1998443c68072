import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { seededRandom } from '../shared/random';
import { fromCsv } from './synthetic-iris';

/** Parameters of {@link ProcessDatasetTask}. */
export interface ProcessDatasetParams {
  /** Id of the artifact to process (ClearML passes its URL); the bytes come from the parent step. */
  readonly dataset_artifact: string;
  readonly test_size: number;
  readonly random_state: number;
}

/** A split as the artifacts store it: standardized features and labels. */
export interface Split {
  readonly x: number[][];
  readonly y: number[];
}

/** What {@link ProcessDatasetTask} returns. */
export interface ProcessDatasetOutput {
  readonly train: number;
  readonly test: number;
  readonly datasetArtifact: string;
}

/**
 * ClearML's "Pipeline step 2 process dataset": reads the `dataset` artifact, shuffles and
 * splits it (`test_size`, `random_state`), standardizes the features with the training split's
 * statistics and stores `train`, `test` and `scaler` as artifacts.
 */
@Task({ name: 'pipeline step 2 process dataset', params: { dataset_artifact: '', test_size: 0.2, random_state: 42 } })
export class ProcessDatasetTask {
  async execute(ctx: StepContext<ProcessDatasetParams>): Promise<ProcessDatasetOutput> {
    const { test_size: testSize, random_state: randomState, dataset_artifact: datasetArtifact } = ctx.params;
    if (!(testSize > 0 && testSize < 1)) throw new RangeError(`test_size must be between 0 and 1, got ${testSize}`);
    const flowers = fromCsv((await ctx.artifacts.get('dataset')).toString('utf8'));

    // Fisher–Yates with a seeded generator: the same split on every run, like random_state.
    const random = seededRandom(randomState);
    const shuffled = [...flowers];
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [shuffled[index], shuffled[other]] = [shuffled[other] as (typeof shuffled)[number], shuffled[index] as (typeof shuffled)[number]];
    }
    const testCount = Math.round(shuffled.length * testSize);
    const test = shuffled.slice(0, testCount);
    const train = shuffled.slice(testCount);

    const features = train[0]?.features.length ?? 0;
    const mean = Array.from({ length: features }, (_, f) => train.reduce((sum, flower) => sum + (flower.features[f] ?? 0), 0) / train.length);
    const std = Array.from({ length: features }, (_, f) =>
      Math.sqrt(train.reduce((sum, flower) => sum + ((flower.features[f] ?? 0) - (mean[f] ?? 0)) ** 2, 0) / train.length) || 1,
    );
    const scale = (split: typeof train): Split => ({
      x: split.map((flower) => flower.features.map((value, f) => (value - (mean[f] ?? 0)) / (std[f] ?? 1))),
      y: split.map((flower) => flower.label),
    });

    await ctx.artifacts.put('train', JSON.stringify(scale(train)));
    await ctx.artifacts.put('test', JSON.stringify(scale(test)));
    await ctx.artifacts.put('scaler', JSON.stringify({ mean, std }));
    ctx.log(`split ${flowers.length} rows of artifact ${datasetArtifact}: ${train.length} train, ${test.length} test`);
    return { train: train.length, test: test.length, datasetArtifact };
  }
}
