import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardOptions } from './create-dashboard';
import { createDashboard } from './create-dashboard';
import { DashboardError } from './errors';
import { sendError } from './server/http';
import { isLoopbackHost } from './server/same-origin';

/** Where {@link serveDashboard} listens. */
export const DEFAULT_PORT = 4280;
export const DEFAULT_HOST = '127.0.0.1';

/** Options of {@link serveDashboard}. */
export interface ServeDashboardOptions extends Omit<DashboardOptions, 'basePath'> {
  /** TCP port; 0 picks a free one. Default {@link DEFAULT_PORT}. */
  readonly port?: number;
  /** Interface to bind; loopback ({@link DEFAULT_HOST}) unless you mean to expose the dashboard. */
  readonly host?: string;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port/`, to open in a browser. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops listening and ends open connections (live event streams included). */
  close(): Promise<void>;
}

const isLoopbackBind = (host: string): boolean => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * Serves the dashboard on its own HTTP server: what `pipewright dashboard` runs. Bound to
 * loopback it also refuses requests whose Host header is not a loopback name (DNS rebinding).
 * Rejects with `DashboardError` `LISTEN_FAILED` (port taken, host not local) or `ASSETS_MISSING`.
 */
export const serveDashboard = async (options: ServeDashboardOptions): Promise<DashboardServer> => {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DashboardError('INVALID_OPTION', `port must be an integer from 0 to 65535, got ${port}.`);
  const handler = createDashboard(options);
  const loopback = isLoopbackBind(host);
  const server = createServer((req, res) => {
    if (loopback && !isLoopbackHost(req.headers.host)) {
      sendError(res, 421, 'HOST_REFUSED', `This dashboard listens on loopback and answers to localhost or 127.0.0.1 only, not '${req.headers.host ?? ''}'.`);
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new DashboardError('LISTEN_FAILED', `Cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use; pick another with --port' : error.message}.`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    port: bound,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
