import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { DemoPipeline, FailPipeline } from './fixtures/pipelines';
import { WIDE_STEPS, WidePipeline } from './fixtures/wide-pipeline';
import { chromiumAvailable, launchChromium } from './support/browser';
import { startDashboard } from './support/dashboard';
import type { DashboardFixture } from './support/dashboard';
import { offOrigin, openPage } from './support/page';
import type { TrackedPage } from './support/page';

/** The page's document inside `page.evaluate` callbacks: these specs compile without the DOM library. */
interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { readonly length: number };
  readonly activeElement: PageElement | null;
};

const describeInChromium = chromiumAvailable() ? describe : describe.skip;

describeInChromium('dashboard in Chromium', () => {
  let fx: DashboardFixture;
  let browser: Browser;
  let tab: TrackedPage;
  let demoId: string;
  let failId: string;
  let wideId: string;

  beforeAll(async () => {
    fx = await startDashboard();
    demoId = (await fx.engine.run(DemoPipeline)).runId;
    for (let index = 0; index < 60; index += 1) await fx.engine.run(FailPipeline);
    failId = (await fx.engine.run(FailPipeline)).runId;
    wideId = (await fx.engine.run(WidePipeline)).runId;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });
  beforeEach(async () => {
    tab = await openPage(browser);
  });
  afterEach(async () => {
    const origin = fx.server.url.slice(0, -1);
    const errors = tab.errors;
    const leaks = offOrigin(tab, origin);
    await tab.close();
    expect(errors).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it('lists runs with their status, filters them and pages through them', async () => {
    const { page } = tab;
    await page.goto(fx.server.url);
    await page.waitForSelector('tr[data-run-id]');
    expect(await page.locator('tr[data-run-id]').count()).toBe(50);
    expect(await page.locator('tr[data-run-id]').first().getAttribute('data-run-id')).toBe(wideId);
    await page.getByLabel('Pipeline').selectOption('dash-demo');
    await page.waitForSelector(`tr[data-run-id="${demoId}"]`);
    expect(await page.locator('tr[data-run-id]').count()).toBe(1);
    expect(await page.locator(`tr[data-run-id="${demoId}"]`).getAttribute('data-status')).toBe('succeeded');
    expect(page.url()).toContain('pipeline=dash-demo');

    await page.getByLabel('Pipeline').selectOption('');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.waitForFunction(() => document.querySelector('[role=status]')?.textContent?.startsWith('Runs 51–61'));
    const statuses = await page.locator('tr[data-run-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(statuses).toEqual(Array(11).fill('failed'));
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);

    await page.locator(`tr[data-run-id] a`).first().click();
    await page.waitForSelector('[data-step="boom"][data-status="failed"]');
  });

  it("shows a run's DAG with every step's status, nested and spawned steps, and a step's details", async () => {
    const { page } = tab;
    await page.goto(`${fx.server.url}runs/${demoId}`);
    await page.waitForSelector('[data-step="evaluate"]');
    const nodes = await page.locator('[data-step]').evaluateAll((elements) =>
      Object.fromEntries(elements.map((element) => [element.getAttribute('data-step'), element.getAttribute('data-status')])),
    );
    expect(nodes).toMatchObject({ prepare: 'succeeded', prep: 'succeeded', train: 'succeeded', evaluate: 'succeeded', extra: 'succeeded' });
    expect(Object.keys(nodes)).toEqual(expect.arrayContaining(['prep/load', 'prep/clean']));
    expect(await page.locator('#run-status').getAttribute('data-status')).toBe('succeeded');

    await page.click('[data-step="train"]');
    const panel = page.getByRole('complementary');
    await panel.getByRole('heading', { name: 'train' }).waitFor();
    expect(await panel.locator('pre.json').first().textContent()).toContain('"epochs": 4');
    expect(await panel.locator('pre.json').nth(1).textContent()).toContain('"accuracy": 0.93');
    expect(await panel.getByRole('list', { name: 'Log of train' }).textContent()).toContain('epoch 4');
    expect(await panel.locator('figure[data-metric="loss"]').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('link', { name: 'model' }).click()]);
    expect(readFileSync((await download.path()) as string, 'utf8')).toBe('weights-v1');
  });

  it("shows a failed step's error", async () => {
    const { page } = tab;
    await page.goto(`${fx.server.url}runs/${failId}`);
    await page.click('[data-step="boom"][data-status="failed"]');
    const alert = page.getByRole('complementary').getByRole('alert');
    expect(await alert.textContent()).toContain('the disk is full');
  });

  it('is usable from the keyboard: one node in the tab order, arrows move, Enter opens the details', async () => {
    const { page } = tab;
    await page.goto(`${fx.server.url}runs/${demoId}`);
    await page.waitForSelector('[data-step="evaluate"]');
    expect(await page.locator('.dag [tabindex="0"]').count()).toBe(1);
    await page.focus('.dag [tabindex="0"]');
    const first = await page.evaluate(() => document.activeElement?.getAttribute('data-step'));
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => document.activeElement?.getAttribute('data-step'));
    expect(second).not.toBe(first);
    await page.keyboard.press('Enter');
    await page.getByRole('complementary').getByRole('heading', { name: second as string }).waitFor();
    expect(await page.locator(`[data-step="${second}"]`).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByLabel('Find step').count()).toBe(1);
  });

  it(`stays responsive on a ${WIDE_STEPS}-step run: every node drawn, selection and search work`, async () => {
    const { page } = tab;
    await page.goto(`${fx.server.url}runs/${wideId}`);
    await page.waitForFunction((count) => document.querySelectorAll('[data-step][data-status="succeeded"]').length === count, WIDE_STEPS);
    await page.click('[data-step="s499"]');
    await page.getByRole('complementary').getByRole('heading', { name: 's499' }).waitFor();
    expect(await page.getByRole('complementary').textContent()).toContain('s479');
    await page.getByLabel('Find step').fill('s250');
    await page.getByLabel('Find step').press('Enter');
    await page.getByRole('complementary').getByRole('heading', { name: 's250' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-step'))).toBe('s250');
  });
});
