import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArtifactStore } from '@pipewright/core';
import type { ActionHooks, ActionOutcome } from '../api/actions';
import { rerunAction, resumeAction, stopAction } from '../api/actions';
import { streamEvents } from '../api/events-stream';
import { listPipelines, listRuns, parseRunsQuery } from '../api/runs-list';
import { runView } from '../api/run-view';
import type { DashboardEngine } from '../dashboard-engine';
import type { Asset } from './assets';
import { readJsonBody, sendError, sendJson, writeHead } from './http';
import { pageShell } from './pages';
import type { PageOptions } from './pages';
import { crossSiteRefusal } from './same-origin';

/** What the routes work with. */
export interface RouteContext extends ActionHooks {
  readonly engine: DashboardEngine;
  readonly artifacts?: ArtifactStore;
  readonly assets: ReadonlyMap<string, Asset>;
  /** The mount path without its trailing slash (`''` at the root). */
  readonly basePath: string;
}

/** `true` when answered, a promise while answering asynchronously, `false` when not a dashboard path. */
export type Routed = boolean | Promise<void>;

const sendPage = (res: ServerResponse, status: number, options: PageOptions): void => {
  const html = pageShell(options);
  writeHead(res, status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
  res.end(html);
};

const sendAsset = (req: IncomingMessage, res: ServerResponse, asset: Asset): void => {
  if (req.headers['if-none-match'] === asset.etag) {
    writeHead(res, 304, { etag: asset.etag });
    res.end();
    return;
  }
  writeHead(res, 200, { 'content-type': asset.type, 'content-length': asset.body.length, etag: asset.etag, 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
};

const download = async (context: RouteContext, res: ServerResponse, runId: string, step: string, name: string): Promise<void> => {
  if (context.artifacts === undefined) return sendError(res, 501, 'NOT_SUPPORTED', 'This dashboard was given no artifact store.');
  const { steps } = await context.engine.inspect(runId);
  const ref = steps[step]?.artifacts[name];
  if (ref === undefined) return sendError(res, 404, 'ARTIFACT_NOT_FOUND', `Step '${step}' of run '${runId}' has no artifact '${name}'.`);
  const bytes = await context.artifacts.get(ref);
  const filename = name.replace(/[^\w.-]+/g, '_') || 'artifact';
  writeHead(res, 200, {
    'content-type': 'application/octet-stream',
    'content-length': bytes.length,
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
  });
  res.end(bytes);
};

const act = async (context: RouteContext, req: IncomingMessage, res: ServerResponse, runId: string, action: string): Promise<void> => {
  const refusal = crossSiteRefusal(req);
  if (refusal !== undefined) return sendError(res, 403, 'CROSS_SITE_REFUSED', refusal);
  let body: unknown;
  try {
    body = await readJsonBody(req);
  } catch (error) {
    return sendError(res, 400, 'BAD_REQUEST', error instanceof Error ? error.message : String(error));
  }
  let outcome: ActionOutcome;
  if (action === 'stop') outcome = await stopAction(context.engine, runId);
  else if (action === 'resume') outcome = await resumeAction(context.engine, runId, context);
  else outcome = await rerunAction(context.engine, runId, body, context);
  sendJson(res, outcome.status, outcome.body);
};

const api = (context: RouteContext, req: IncomingMessage, res: ServerResponse, parts: readonly string[], search: URLSearchParams): Routed => {
  const [resource, runId, sub, step, kind, name] = parts;
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (resource === 'pipelines' && parts.length === 1 && read) {
    return listPipelines(context.engine).then((pipelines) => sendJson(res, 200, { pipelines }));
  }
  if (resource !== 'runs') return false;
  if (runId === undefined) {
    if (!read) return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'GET /api/runs only.'), true;
    const query = parseRunsQuery(search);
    if (typeof query === 'string') return sendError(res, 400, 'BAD_REQUEST', query), true;
    return listRuns(context.engine, query).then((page) => sendJson(res, 200, page));
  }
  const capabilities = { artifacts: context.artifacts !== undefined, ...(context.loadPipeline === undefined ? {} : { loadPipeline: context.loadPipeline }) };
  if (sub === undefined && read) return runView(context.engine, runId, capabilities).then((view) => sendJson(res, 200, view));
  if (sub === 'events' && parts.length === 3 && read) return streamEvents(context.engine, runId, req, res);
  if (sub === 'steps' && kind === 'artifacts' && step !== undefined && name !== undefined && parts.length === 6 && read) {
    return download(context, res, runId, step, name);
  }
  if (parts.length === 3 && (sub === 'stop' || sub === 'resume' || sub === 'rerun')) {
    if (req.method !== 'POST') return sendError(res, 405, 'METHOD_NOT_ALLOWED', `POST /api/runs/<runId>/${sub} only.`), true;
    return act(context, req, res, runId, sub);
  }
  return false;
};

/**
 * Serves one request if its path is the dashboard's. `req.url` is relative to the mount point
 * (Express strips it and keeps it in `req.baseUrl`) or starts with `basePath`.
 */
export const route = (context: RouteContext, req: IncomingMessage, res: ServerResponse): Routed => {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  let path = url.pathname;
  if (context.basePath !== '') {
    if (path !== context.basePath && !path.startsWith(`${context.basePath}/`)) return false;
    path = path.slice(context.basePath.length);
  }
  const mount = `${(req as { baseUrl?: string }).baseUrl ?? ''}${context.basePath}`;
  if (path === '') return res.writeHead(308, { location: `${mount}/${url.search}` }).end(), true;
  let parts: string[];
  try {
    parts = path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return sendError(res, 400, 'BAD_REQUEST', 'Malformed percent-encoding in the path.'), true;
  }
  const base = `${mount}/`;
  const read = req.method === 'GET' || req.method === 'HEAD';
  const [first, second] = parts;
  if (first === 'api') return api(context, req, res, parts.slice(1), url.searchParams);
  if (!read) return false;
  if (parts.length === 1 && first === '') return sendPage(res, 200, { title: 'Runs', base, page: 'runs' }), true;
  if (first === 'runs' && second !== undefined && second !== '' && parts.length === 2) {
    return sendPage(res, 200, { title: `Run ${second}`, base, page: 'run', runId: second }), true;
  }
  const asset = first === 'assets' && second !== undefined && parts.length === 2 ? context.assets.get(second) : undefined;
  if (asset !== undefined) return sendAsset(req, res, asset), true;
  return false;
};

/** The answer for a path the dashboard does not know, when nothing else will serve it. */
export const notFound = (context: RouteContext, req: IncomingMessage, res: ServerResponse): void => {
  const path = new URL(req.url ?? '/', 'http://dashboard.invalid').pathname.slice(context.basePath.length);
  if (path.startsWith('/api/')) return sendError(res, 404, 'NOT_FOUND', `Nothing at ${path}.`);
  const mount = `${(req as { baseUrl?: string }).baseUrl ?? ''}${context.basePath}`;
  sendPage(res, 404, { title: 'Not found', base: `${mount}/`, page: 'not-found' });
};
