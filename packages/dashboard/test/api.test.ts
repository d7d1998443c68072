import { request } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard } from '@pipewright/dashboard';
import type { RunPage, RunView } from '@pipewright/dashboard';
import { DemoPipeline, FailPipeline } from './fixtures/pipelines';
import { startDashboard } from './support/dashboard';
import type { DashboardFixture } from './support/dashboard';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One plain HTTP request, with the headers exactly as given (no browser adds any). */
const call = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });

const json = <T>(answer: Answer): T => JSON.parse(answer.body) as T;

describe('dashboard HTTP API', () => {
  let fx: DashboardFixture;
  let demoId: string;
  let failId: string;

  beforeAll(async () => {
    fx = await startDashboard();
    demoId = (await fx.engine.run(DemoPipeline, { params: { rows: 7 } })).runId;
    failId = (await fx.engine.run(FailPipeline)).runId;
    for (let index = 0; index < 60; index += 1) await fx.engine.run(FailPipeline);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('lists runs newest first, filtered by pipeline and status, a page at a time', async () => {
    const first = json<RunPage>(await call(`${fx.server.url}api/runs?limit=25`));
    expect(first.runs).toHaveLength(25);
    expect(first.more).toBe(true);
    const starts = first.runs.map((run) => run.startedAt);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    const last = json<RunPage>(await call(`${fx.server.url}api/runs?limit=25&offset=50`));
    expect(last.runs).toHaveLength(12);
    expect(last.more).toBe(false);
    expect(last.runs.at(-1)?.runId).toBe(demoId);
    const pages = [first, json<RunPage>(await call(`${fx.server.url}api/runs?limit=25&offset=25`)), last];
    expect(new Set(pages.flatMap((page) => page.runs.map((run) => run.runId))).size).toBe(62);

    const demo = json<RunPage>(await call(`${fx.server.url}api/runs?pipeline=dash-demo`));
    expect(demo.runs.map((run) => [run.runId, run.version, run.status])).toEqual([[demoId, '1.2.0', 'succeeded']]);
    const failed = json<RunPage>(await call(`${fx.server.url}api/runs?status=failed&limit=500`));
    expect(failed.runs).toHaveLength(61);
    expect(failed.runs.every((run) => run.pipeline === 'dash-fail' && run.endedAt !== null)).toBe(true);
    expect(json<{ pipelines: string[] }>(await call(`${fx.server.url}api/pipelines`)).pipelines).toEqual(['dash-demo', 'dash-fail']);
  });

  it('refuses a malformed query with 400 and says why', async () => {
    const answer = await call(`${fx.server.url}api/runs?status=done`);
    expect(answer.status).toBe(400);
    expect(json<{ error: { message: string } }>(answer).error.message).toContain("'status' must be one of");
    expect((await call(`${fx.server.url}api/runs?limit=0`)).status).toBe(400);
  });

  it('serves a run with its steps and its DAG, nested pipeline steps expanded', async () => {
    const view = json<RunView>(await call(`${fx.server.url}api/runs/${demoId}`));
    expect(view.run).toMatchObject({ runId: demoId, pipeline: 'dash-demo', status: 'succeeded', params: { rows: 7, lr: 0.01 } });
    expect(view.graph.known).toBe(true);
    const byKey = new Map(view.graph.nodes.map((node) => [node.key, node]));
    expect([...byKey.keys()].sort()).toEqual(['evaluate', 'extra', 'prep', 'prep/clean', 'prep/load', 'prepare', 'train']);
    expect(byKey.get('evaluate')?.parents).toEqual(['train', 'prep']);
    expect(byKey.get('prep')?.kind).toBe('pipeline');
    expect(byKey.get('prep/clean')).toMatchObject({ group: 'prep', parents: ['prep/load'], params: { threshold: 0.7 } });
    expect(byKey.get('train')?.params).toEqual({ epochs: 4, lr: '${pipeline.lr}' });
    expect(byKey.get('extra')?.kind).toBe('spawned');
    expect(Object.keys(view.steps).sort()).toEqual(['evaluate', 'extra', 'prep', 'prepare', 'train']);
    expect(view.actions).toMatchObject({ resume: false, artifacts: true });
  });

  it('answers 404 for an unknown run, on the API and as a page the browser can render', async () => {
    const api = await call(`${fx.server.url}api/runs/nope`);
    expect(api.status).toBe(404);
    expect(json<{ error: { code: string } }>(api).error.code).toBe('RUN_NOT_FOUND');
    const page = await call(`${fx.server.url}no/such/page`);
    expect(page.status).toBe(404);
    expect(page.body).toContain('<h1>Not found</h1>');
  });

  it("downloads a step's artifact", async () => {
    const answer = await call(`${fx.server.url}api/runs/${demoId}/steps/train/artifacts/model`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toBe('attachment; filename="model"');
    expect(answer.body).toBe('weights-v1');
    expect((await call(`${fx.server.url}api/runs/${demoId}/steps/train/artifacts/other`)).status).toBe(404);
  });

  it('serves pages and its own assets under a Content-Security-Policy that allows this origin only', async () => {
    const page = await call(fx.server.url);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<script src="assets/app.js" defer></script>');
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await call(`${fx.server.url}assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.body.length).toBeGreaterThan(10_000);
    expect((await call(`${fx.server.url}assets/../package.json`)).status).toBe(404);
  });

  it('refuses cross-site state changes: another Origin, Sec-Fetch-Site cross-site, or a body that is not JSON', async () => {
    const url = `${fx.server.url}api/runs/${failId}/resume`;
    const host = new URL(fx.server.url).host;
    const crossOrigin = await call(url, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(crossOrigin.status).toBe(403);
    expect(json<{ error: { code: string } }>(crossOrigin).error.code).toBe('CROSS_SITE_REFUSED');
    const crossSite = await call(url, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site', origin: `http://${host}`, 'content-type': 'application/json' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    const form = await call(url, { method: 'POST', headers: { origin: `http://${host}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(403);
    expect((await call(url, { method: 'GET' })).status).toBe(405);
    // Refused requests changed nothing: the failed run is still failed.
    expect(json<RunView>(await call(`${fx.server.url}api/runs/${failId}`)).run.status).toBe('failed');
  });

  it('answers only to loopback names when bound to loopback (no DNS rebinding)', async () => {
    const answer = await call(`${fx.server.url}api/runs`, { headers: { host: `attacker.example:${fx.server.port}` } });
    expect(answer.status).toBe(421);
    expect((await call(`${fx.server.url}api/runs`, { headers: { host: `localhost:${fx.server.port}` } })).status).toBe(200);
  });

  it('mounts under a path in a plain node:http server, passing other requests on', async () => {
    const handler = createDashboard({ engine: fx.engine, basePath: '/dash' });
    const server = createServer((req, res) => {
      handler(req, res, () => {
        res.writeHead(418).end('the service itself');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page = await call(`${base}/dash/runs/${demoId}`);
      expect(page.body).toContain('<base href="/dash/">');
      expect(json<RunPage>(await call(`${base}/dash/api/runs?pipeline=dash-demo`)).runs).toHaveLength(1);
      expect((await call(`${base}/other`)).status).toBe(418);
      expect((await call(`${base}/dash`)).headers.location).toBe('/dash/');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
