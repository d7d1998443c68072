import type { IncomingMessage, ServerResponse } from 'node:http';

/** Security headers on every answer: nothing is loaded from anywhere but this origin. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Writes the status and headers, the security ones included. */
export const writeHead = (res: ServerResponse, status: number, headers: Readonly<Record<string, string | number>>): void => {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
};

/** Answers with a JSON body. */
export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  writeHead(res, status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
};

/** Answers with `{ error: { code, message } }`. */
export const sendError = (res: ServerResponse, status: number, code: string, message: string): void => {
  sendJson(res, status, { error: { code, message } });
};

/** Bodies of the action routes are a few bytes; anything bigger is refused. */
const MAX_BODY = 64 * 1024;

/**
 * The JSON body of a request. Express or Fastify may have parsed it already (`req.body`).
 * Resolves `undefined` for an empty body; rejects on invalid JSON or an oversized body.
 */
export const readJsonBody = async (req: IncomingMessage): Promise<unknown> => {
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== undefined && !(parsed instanceof Buffer) && typeof parsed !== 'string') return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new RangeError(`Request body over ${MAX_BODY} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? undefined : (JSON.parse(text) as unknown);
};
