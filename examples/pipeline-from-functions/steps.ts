import type { StepContext } from '@pipewright/core';
import { gaussian, seededRandom } from '../shared/random';

/** One flower: four measurements and its species (0, 1 or 2), like the iris table of ClearML's example. */
export interface Flower {
  readonly features: readonly number[];
  readonly species: number;
}

/** A nearest-centroid classifier: one mean feature vector per species. */
export interface CentroidModel {
  readonly centroids: ReadonlyArray<readonly number[]>;
}

const CENTRES = [
  [5.0, 3.4, 1.5, 0.2],
  [5.9, 2.8, 4.3, 1.3],
  [6.6, 3.0, 5.6, 2.0],
];

/** step_one: loads the dataset (here: generates an iris-like table from a seed). */
export const stepOne = (ctx: StepContext<{ rows: number; seed: number }>): Flower[] => {
  const random = seededRandom(ctx.params.seed);
  const flowers = Array.from({ length: ctx.params.rows }, (_, i) => {
    const species = i % 3;
    const centre = CENTRES[species] as number[];
    return { features: centre.map((value) => Number((value + 0.3 * gaussian(random)).toFixed(2))), species };
  });
  ctx.log(`loaded ${flowers.length} flowers`);
  return flowers;
};

/** step_two: processes the data: a seeded shuffle and a train/test split. */
export const stepTwo = (ctx: StepContext<{ testSize: number; seed: number }, { step_one: Flower[] }>): { train: Flower[]; test: Flower[] } => {
  const random = seededRandom(ctx.params.seed + 1);
  const shuffled = [...ctx.parents.step_one];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as Flower, shuffled[i] as Flower];
  }
  const cut = Math.round(shuffled.length * (1 - ctx.params.testSize));
  return { train: shuffled.slice(0, cut), test: shuffled.slice(cut) };
};

/** step_three: trains the model and stores it as an artifact as well as returning it. */
export const stepThree = async (ctx: StepContext<object, { step_two: { train: Flower[] } }>): Promise<CentroidModel> => {
  const centroids = [0, 1, 2].map((species) => {
    const members = ctx.parents.step_two.train.filter((flower) => flower.species === species);
    return [0, 1, 2, 3].map((k) => members.reduce((sum, flower) => sum + (flower.features[k] ?? 0), 0) / (members.length || 1));
  });
  await ctx.artifacts.put('model', JSON.stringify({ centroids }));
  return { centroids };
};

const classify = (model: CentroidModel, features: readonly number[]): number => {
  const distances = model.centroids.map((centroid) => centroid.reduce((sum, value, k) => sum + (value - (features[k] ?? 0)) ** 2, 0));
  return distances.indexOf(Math.min(...distances));
};

/** step_four: evaluates the stored model (read back from step_three's artifact) on the test rows. */
export const stepFour = async (ctx: StepContext<object, { step_two: { test: Flower[] } }>): Promise<{ accuracy: number; tested: number }> => {
  const model = JSON.parse((await ctx.artifacts.get('model', 'step_three')).toString('utf8')) as CentroidModel;
  const { test } = ctx.parents.step_two;
  const right = test.filter((flower) => classify(model, flower.features) === flower.species).length;
  const accuracy = right / (test.length || 1);
  ctx.metric('accuracy', accuracy);
  return { accuracy, tested: test.length };
};
