import type { Browser, Page } from 'playwright-core';

/** A page that records every URL it requests, to prove nothing leaves the dashboard's origin. */
export interface TrackedPage {
  readonly page: Page;
  readonly requested: string[];
  readonly errors: string[];
  close(): Promise<void>;
}

export const openPage = async (browser: Browser): Promise<TrackedPage> => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const requested: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, requested, errors, close: () => context.close() };
};

/** Every requested URL is on `origin` (data: URLs never reach the network). */
export const offOrigin = (tracked: TrackedPage, origin: string): string[] =>
  tracked.requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
