import { existsSync } from 'node:fs';

/** Polls `check` every 20 ms until it holds; rejects after `timeoutMs` so a broken spec fails instead of hanging. */
export const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Waits until `file` exists. */
export const waitForPath = (file: string): Promise<void> => waitUntil(file, () => existsSync(file));
