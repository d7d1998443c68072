/**
 * A small Iris-like data set made in code, so the example needs no download: three classes of
 * flowers with four measurements each, drawn around the real Iris class means.
 */

import { seededRandom } from '../shared/random';

/** One flower: four measurements (cm) and its class index. */
export interface Flower {
  readonly features: readonly [number, number, number, number];
  readonly label: number;
}

/** Class names, by label. */
export const SPECIES = ['setosa', 'versicolor', 'virginica'] as const;

/** Column names of the CSV. */
export const COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'] as const;

const MEANS: ReadonlyArray<readonly [number, number, number, number]> = [
  [5.0, 3.4, 1.5, 0.2],
  [5.9, 2.8, 4.3, 1.3],
  [6.6, 3.0, 5.6, 2.0],
];
const SPREAD: readonly [number, number, number, number] = [0.35, 0.3, 0.35, 0.2];


/** A normal draw (Box–Muller). */
const gaussian = (random: () => number): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** `rows` flowers, the classes in turn, reproducible from `seed`. */
export const makeFlowers = (rows: number, seed: number): Flower[] => {
  const random = seededRandom(seed);
  return Array.from({ length: rows }, (_, index) => {
    const label = index % MEANS.length;
    const mean = MEANS[label] as readonly [number, number, number, number];
    const features = mean.map((value, feature) => Number((value + gaussian(random) * (SPREAD[feature] ?? 0)).toFixed(2)));
    return { features: features as unknown as Flower['features'], label };
  });
};

/** The flowers as CSV with a header line: what the first step stores as its artifact. */
export const toCsv = (flowers: readonly Flower[]): string =>
  [COLUMNS.join(','), ...flowers.map((flower) => [...flower.features, SPECIES[flower.label]].join(','))].join('\n');

/** Parses what {@link toCsv} wrote; throws on a line it cannot read. */
export const fromCsv = (csv: string): Flower[] => {
  const [header, ...lines] = csv.trim().split('\n');
  if (header !== COLUMNS.join(',')) throw new Error(`Unexpected CSV header: ${header ?? '(empty)'}`);
  return lines.map((line, index) => {
    const cells = line.split(',');
    const label = SPECIES.indexOf(cells[4] as (typeof SPECIES)[number]);
    const features = cells.slice(0, 4).map(Number);
    if (label < 0 || features.length !== 4 || features.some((value) => !Number.isFinite(value))) {
      throw new Error(`Line ${index + 2} of the CSV is not a flower: ${line}`);
    }
    return { features: features as unknown as Flower['features'], label };
  });
};
