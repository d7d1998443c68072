import { TestingError } from './errors';

/** Options of {@link skipTime}. */
export interface SkipTimeOptions {
  /** Most times `advance` is called before giving up with `STILL_PENDING`. Default 10 000. */
  readonly maxSteps?: number;
}

/**
 * Moves a fake clock on until `work` settles, and settles as it does: a run's backoffs and
 * timeouts then pass at once, without the test adding up their delays. `advance` moves the
 * clock, typically to its next timer:
 *
 * ```ts
 * jest.useFakeTimers();
 * const run = await skipTime(testPipeline(Flaky), () => jest.advanceTimersToNextTimerAsync());
 * ```
 *
 * (`vi.advanceTimersToNextTimerAsync()` under vitest.) Rejects with `STILL_PENDING` after
 * `maxSteps` moves: the work waits on something no timer will bring.
 */
export const skipTime = async <T>(work: Promise<T>, advance: () => unknown, options: SkipTimeOptions = {}): Promise<T> => {
  const maxSteps = options.maxSteps ?? 10_000;
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  // Observed here too, so a rejection that comes while the clock moves is not reported as unhandled.
  watched.catch(() => undefined);
  for (let step = 0; !settled; step++) {
    if (step === maxSteps) {
      throw new TestingError('STILL_PENDING', `skipTime moved the clock ${maxSteps} times and the work is still pending: it waits on something no timer brings.`);
    }
    await advance();
  }
  return watched;
};
