import type { Dataset } from './synthetic-table';

/** A trained linear classifier. */
export interface LinearModel {
  readonly weights: number[];
  readonly bias: number;
}

/** Hyperparameters of {@link trainLogisticRegression}. */
export interface TrainingOptions {
  /** Gradient descent step size. */
  readonly lr: number;
  readonly epochs: number;
  /** L2 penalty on the weights. */
  readonly l2?: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

const predict = (model: LinearModel, row: readonly number[]): number => sigmoid(row.reduce((sum, value, i) => sum + value * (model.weights[i] ?? 0), model.bias));

/**
 * Full-batch gradient descent. Yields to the event loop after every epoch, so steps training
 * at once in one process really do interleave, and stops when `signal` fires.
 */
export const trainLogisticRegression = async (
  data: Dataset,
  options: TrainingOptions,
  onEpoch?: (epoch: number, loss: number) => void,
  signal?: AbortSignal,
): Promise<LinearModel> => {
  const features = data.x[0]?.length ?? 0;
  let weights = new Array<number>(features).fill(0);
  let bias = 0;
  const l2 = options.l2 ?? 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    signal?.throwIfAborted();
    const gradient = new Array<number>(features).fill(0);
    let gradientBias = 0;
    data.x.forEach((row, i) => {
      const error = predict({ weights, bias }, row) - (data.y[i] ?? 0);
      row.forEach((value, j) => (gradient[j] = (gradient[j] ?? 0) + error * value));
      gradientBias += error;
    });
    const n = data.y.length || 1;
    weights = weights.map((weight, j) => weight - options.lr * ((gradient[j] ?? 0) / n + l2 * weight));
    bias -= (options.lr * gradientBias) / n;
    onEpoch?.(epoch, logLoss({ weights, bias }, data));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { weights, bias };
};

/** Share of rows classified right at a 0.5 threshold. */
export const accuracy = (model: LinearModel, data: Dataset): number =>
  data.y.filter((label, i) => (predict(model, data.x[i] ?? []) >= 0.5 ? 1 : 0) === label).length / (data.y.length || 1);

/** Mean cross-entropy. */
export const logLoss = (model: LinearModel, data: Dataset): number => {
  const eps = 1e-12;
  const total = data.y.reduce((sum, label, i) => {
    const p = predict(model, data.x[i] ?? []);
    return sum - (label * Math.log(p + eps) + (1 - label) * Math.log(1 - p + eps));
  }, 0);
  return total / (data.y.length || 1);
};
