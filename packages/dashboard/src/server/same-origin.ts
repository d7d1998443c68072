import type { IncomingMessage } from 'node:http';

/**
 * Why a state-changing request is refused, or `undefined` when it may go on.
 *
 * Browsers say where a request comes from: `Sec-Fetch-Site` (Chromium, Firefox, Safari) and
 * `Origin` (every browser, on every POST). A request that another site's page makes is refused
 * whatever its cookies or network position; a request without either header is not a
 * browser's (curl, a script) and goes on. A JSON content type is required as well: a cross-site
 * HTML form cannot send one, and a cross-site `fetch` that does needs a CORS preflight this
 * server never grants.
 */
export const crossSiteRefusal = (req: IncomingMessage): string | undefined => {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is '${String(site)}', not 'same-origin'.`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return `Origin '${origin}' is not a URL.`;
    }
    if (host !== req.headers.host) return `Origin '${origin}' is not this dashboard's (${req.headers.host ?? 'no Host header'}).`;
  }
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/json')) return 'State-changing requests must be sent as application/json.';
  return undefined;
};

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `true` when the Host header names this machine's loopback interface. A dashboard bound to
 * loopback refuses other names, so a web page cannot reach it through DNS rebinding (a name of
 * the attacker's that resolves to 127.0.0.1 would otherwise pass the Origin check above).
 */
export const isLoopbackHost = (hostHeader: string | undefined): boolean => {
  if (hostHeader === undefined) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0];
  return name !== undefined && (LOOPBACK_NAMES.has(name.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(name));
};
