import { gaussian, seededRandom } from '../shared/random';

/** One customer row of the synthetic churn table. */
export interface CustomerRow {
  readonly age: number;
  readonly income: number;
  readonly region: 'north' | 'south' | 'east';
  /** 1 if the customer left. */
  readonly churned: 0 | 1;
}

/** Features and labels, ready for a model. */
export interface Dataset {
  readonly x: number[][];
  readonly y: number[];
}

const REGIONS = ['north', 'south', 'east'] as const;

/**
 * A small churn table: older, poorer customers in the south leave more often. Labels are drawn
 * from a logistic model of those columns, so a linear classifier can learn them, but not perfectly.
 */
export const makeCustomerTable = (rows: number, seed: number): CustomerRow[] => {
  const random = seededRandom(seed);
  return Array.from({ length: rows }, () => {
    const age = Math.round(20 + random() * 50);
    const income = Math.round(20_000 + random() * 130_000);
    const region = REGIONS[Math.floor(random() * REGIONS.length)] ?? 'north';
    const score = 0.08 * (age - 45) - 0.00004 * (income - 85_000) + (region === 'south' ? 1.2 : region === 'east' ? -0.6 : 0) + 0.4 * gaussian(random);
    return { age, income, region, churned: score > 0 ? 1 : 0 };
  });
};

/** One-hot encodes the region and standardizes the numeric columns. */
export const encodeTable = (rows: readonly CustomerRow[]): Dataset => {
  const stats = (values: number[]): [number, number] => {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
    return [mean, sd];
  };
  const [ageMean, ageSd] = stats(rows.map((row) => row.age));
  const [incomeMean, incomeSd] = stats(rows.map((row) => row.income));
  return {
    x: rows.map((row) => [(row.age - ageMean) / ageSd, (row.income - incomeMean) / incomeSd, ...REGIONS.map((region) => (row.region === region ? 1 : 0))]),
    y: rows.map((row) => row.churned),
  };
};

/** A seeded shuffle and split into train and test sets. */
export const splitDataset = (data: Dataset, testFraction: number, seed: number): { train: Dataset; test: Dataset } => {
  const random = seededRandom(seed);
  const order = data.y.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const cut = Math.round(order.length * (1 - testFraction));
  const pick = (indices: number[]): Dataset => ({ x: indices.map((i) => data.x[i] as number[]), y: indices.map((i) => data.y[i] as number) });
  return { train: pick(order.slice(0, cut)), test: pick(order.slice(cut)) };
};
