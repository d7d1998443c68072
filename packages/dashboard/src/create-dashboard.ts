import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArtifactStore } from '@pipewright/core';
import type { ActionHooks } from './api/actions';
import { outcomeOfError } from './api/actions';
import type { DashboardEngine } from './dashboard-engine';
import { DashboardError } from './errors';
import { loadAssets } from './server/assets';
import { sendJson } from './server/http';
import { notFound, route } from './server/router';

/** Options of {@link createDashboard}. */
export interface DashboardOptions extends ActionHooks {
  /** The engine whose store the dashboard shows; its `watch`, `stopRun` and `fork` drive live updates and the buttons. */
  readonly engine: DashboardEngine;
  /** The store's artifacts (`store.artifacts`): without it, artifacts are listed but cannot be downloaded. */
  readonly artifacts?: ArtifactStore;
  /**
   * The path the dashboard is mounted at when the framework passes full URLs (node:http,
   * Fastify): `'/dashboard'`. Express's `app.use('/dashboard', handler)` needs none (it strips
   * the prefix and sets `req.baseUrl`, which the dashboard reads).
   */
  readonly basePath?: string;
}

/** `next` of Express-style middleware: called for requests the dashboard does not serve. */
export type NextFunction = (error?: unknown) => void;

/** A request handler for node:http, Express (as middleware) or Fastify (`reply.raw`). */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

const normaliseBase = (basePath: string | undefined): string => {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (!basePath.startsWith('/') || basePath.includes('?') || basePath.includes('#')) {
    throw new DashboardError('INVALID_OPTION', `basePath must be a path starting with '/', got '${basePath}'.`);
  }
  return basePath.replace(/\/+$/, '');
};

/**
 * The dashboard as a request handler, to mount inside your own service:
 *
 * ```ts
 * http.createServer(createDashboard({ engine })).listen(4280, '127.0.0.1');
 * app.use('/dashboard', createDashboard({ engine }));                       // Express
 * ```
 *
 * It serves the runs page (`/`), run pages (`/runs/<runId>`), the JSON API (`/api/runs`,
 * `/api/runs/<runId>`, `/api/runs/<runId>/events` as Server-Sent Events) and its own
 * front-end files; nothing is fetched from elsewhere. POST routes (Stop, Resume, Rerun)
 * refuse cross-site requests. Throws `DashboardError` (`ASSETS_MISSING`, `INVALID_OPTION`).
 */
export const createDashboard = (options: DashboardOptions): DashboardHandler => {
  const basePath = normaliseBase(options.basePath);
  const assets = loadAssets();
  const context = { ...options, assets, basePath };
  return (req, res, next) => {
    const fail = (error: unknown): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, body } = outcomeOfError(error);
      if (status >= 500 && next !== undefined) {
        next(error);
        return;
      }
      sendJson(res, status, body);
    };
    try {
      const served = route(context, req, res);
      if (served === false) {
        if (next !== undefined) next();
        else notFound(context, req, res);
        return;
      }
      if (served !== true) served.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
};
