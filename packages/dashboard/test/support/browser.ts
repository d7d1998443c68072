import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs (`apt-get install chromium`). */
export const CHROMIUM = process.env.PIPEWRIGHT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * `true` when the browser tests can run. Under CI a missing Chromium is an error (the suite
 * must fail, not skip); on a developer's machine without it the browser tests are skipped
 * with a note saying how to get it.
 */
export const chromiumAvailable = (): boolean => {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is required under CI and is missing at ${CHROMIUM}: apt-get install -y chromium.`);
  process.stderr.write(`Skipping the dashboard's browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium).\n`);
  return false;
};

/** Launches headless Chromium with nothing reaching out to the network. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
