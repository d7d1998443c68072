import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Engine } from '@pipewright/core';
import type { Browser } from 'playwright-core';
import { DemoPipeline, HangPipeline } from './fixtures/pipelines';
import { chromiumAvailable, launchChromium } from './support/browser';
import { startDashboard } from './support/dashboard';
import type { DashboardFixture } from './support/dashboard';
import { offOrigin, openPage } from './support/page';
import type { TrackedPage } from './support/page';

const ROOT = resolve(__dirname, '../../..');

/** DESIGN.md "Operating runs": what live updates, Stop and Rerun stand on. */
const MISSING = ['watch', 'stopRun', 'fork'].filter((name) => typeof (Engine.prototype as unknown as Record<string, unknown>)[name] !== 'function');
if (MISSING.length > 0) process.stderr.write(`Skipping the dashboard's live specs: Engine lacks ${MISSING.join(', ')} (DESIGN.md "Operating runs").\n`);
const describeLive = chromiumAvailable() && MISSING.length === 0 ? describe : describe.skip;

describeLive('dashboard live in Chromium', () => {
  let fx: DashboardFixture;
  let browser: Browser;
  let tab: TrackedPage;

  beforeAll(async () => {
    fx = await startDashboard();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });
  beforeEach(async () => {
    tab = await openPage(browser);
  });
  afterEach(async () => {
    const leaks = offOrigin(tab, fx.server.url.slice(0, -1));
    const errors = tab.errors;
    await tab.close();
    expect(errors).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it('moves a step to its new status without a reload, and the Stop button stops the run', async () => {
    const { page } = tab;
    const run = fx.engine.start(HangPipeline);
    await page.goto(`${fx.server.url}runs/${run.id}`);
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));
    await page.waitForSelector('[data-step="wait"][data-status="running"]');
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.waitForSelector('[data-step="wait"][data-status="aborted"]');
    await page.waitForSelector('#run-status[data-status="aborted"]');
    expect(await page.locator('[data-step="after"]').getAttribute('data-status')).toBe('skipped');
    expect((await run.result).status).toBe('aborted');
    expect(navigations).toBe(0);
  });

  it('Rerun from this step starts a new run and follows it', async () => {
    const { page } = tab;
    const source = await fx.engine.run(DemoPipeline);
    await page.goto(`${fx.server.url}runs/${source.runId}`);
    await page.click('[data-step="train"]');
    await page.getByRole('button', { name: 'Rerun from this step' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(source.runId));
    await page.waitForSelector('#run-status[data-status="succeeded"]');
    await page.waitForSelector('[data-step="evaluate"][data-status="succeeded"]');
    const rerunId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] as string);
    const rerun = await fx.engine.inspect(rerunId);
    expect(rerun.run.pipeline).toBe('dash-demo');
    expect(rerun.steps.train?.status).toBe('succeeded');
  });

  it('shows a run another process starts on the same store, live, and stops it there', async () => {
    const { page } = tab;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'fixtures', 'start-hang.ts'), fx.storePath], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
    try {
      await page.goto(fx.server.url);
      const runId = await new Promise<string>((resolveId, reject) => {
        const check = (): void => {
          const match = /run (\w+)/.exec(printed);
          if (match) resolveId(match[1] as string);
        };
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`the other process ended first:\n${printed}`)));
        check();
      });
      await page.waitForSelector(`tr[data-run-id="${runId}"][data-status="running"]`);
      await page.click(`tr[data-run-id="${runId}"] a`);
      await page.waitForSelector('[data-step="wait"][data-status="running"]');
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.waitForSelector('[data-step="wait"][data-status="aborted"]');
      expect(await exited).toBe(0);
      expect(printed).toContain('ended aborted');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 90_000);
});
