import type { RetryOptions, RetryPolicy, RetryPredicate } from '../model/options';

/** A retry policy in one shape. `retries` is Infinity when only a predicate limits it. */
export interface NormalizedRetry {
  readonly retries: number;
  readonly minTimeout: number;
  readonly maxTimeout: number;
  readonly factor: number;
  readonly randomize: boolean;
  readonly shouldRetry: RetryPredicate | undefined;
}

const DEFAULTS = { minTimeout: 100, maxTimeout: 10_000, factor: 2, randomize: false };

/** `undefined` when the step is not retried at all (the common, fast path). */
export const normalizeRetry = (policy: RetryPolicy | undefined): NormalizedRetry | undefined => {
  if (policy === undefined || policy === 0) return undefined;
  if (typeof policy === 'number') return { ...DEFAULTS, retries: policy, shouldRetry: undefined };
  if (typeof policy === 'function') return { ...DEFAULTS, retries: Infinity, shouldRetry: policy };
  const options: RetryOptions = policy;
  if (options.retries === 0) return undefined;
  const minTimeout = options.minTimeout ?? DEFAULTS.minTimeout;
  return {
    retries: options.retries,
    minTimeout,
    // A first delay above the default cap raises the cap: p-retry would otherwise refuse to run at all.
    maxTimeout: options.maxTimeout ?? Math.max(DEFAULTS.maxTimeout, minTimeout),
    factor: options.factor ?? DEFAULTS.factor,
    randomize: options.randomize ?? DEFAULTS.randomize,
    shouldRetry: options.shouldRetry,
  };
};
