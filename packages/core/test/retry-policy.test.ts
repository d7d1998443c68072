import { normalizeRetry } from '../src/engine/retry-policy';

describe('normalizeRetry', () => {
  it('raises the default delay cap to a larger first delay, which p-retry would otherwise refuse', () => {
    expect(normalizeRetry({ retries: 3, minTimeout: 60_000 })).toMatchObject({ minTimeout: 60_000, maxTimeout: 60_000 });
    expect(normalizeRetry({ retries: 3, minTimeout: 50 })).toMatchObject({ minTimeout: 50, maxTimeout: 10_000 });
    expect(normalizeRetry({ retries: 3, minTimeout: 60_000, maxTimeout: 90_000 })).toMatchObject({ maxTimeout: 90_000 });
  });
});
