import { isConnectionError } from './errors';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt`, and again (after 50, 200, 800 ms, …) up to `retries` times while it fails for
 * want of a connection: the pool drops a broken connection, so each attempt gets a fresh one.
 * Only for statements that may run twice: every statement of this store is idempotent.
 */
export const withRetries = async <T>(attempt: () => Promise<T>, retries: number): Promise<T> => {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (retry >= retries || !isConnectionError(error)) throw error;
      await sleep(50 * 4 ** retry);
    }
  }
};
