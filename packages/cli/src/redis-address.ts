import type { RedisConnection } from '@pipewright/bullmq';
import { CliError } from './errors';

/** Where the agent looks for Redis unless told otherwise. */
export const DEFAULT_REDIS = '127.0.0.1:6379';

const DEFAULT_PORT = 6379;

const fail = (value: string, why: string): never => {
  throw new CliError('BAD_OPTION', `--redis '${value}' ${why}: give host:port (${DEFAULT_REDIS}) or a URL (redis://user:password@host:port/db, rediss:// for TLS).`);
};

const portOf = (value: string, text: string): number => {
  if (text === '') return DEFAULT_PORT;
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : fail(value, `has no valid port ('${text}')`);
};

/** `[::1]` → `::1`: ioredis takes an IPv6 host without its URL brackets. */
const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

const fromUrl = (value: string): RedisConnection => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(value, 'is not a valid URL');
  }
  const host = unbracket(url.hostname);
  if (host === '') fail(value, 'names no host');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) fail(value, `names no valid database number ('${db}')`);
  return {
    host,
    port: portOf(value, url.port),
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
};

/**
 * Reads `--redis`: `host:port`, `host` (port 6379), `[ipv6]:port`, or a `redis://` / `rediss://`
 * URL with optional user, password and database. Throws `CliError` `BAD_OPTION`.
 */
export const parseRedisAddress = (value: string): RedisConnection => {
  const text = value.trim();
  if (/^rediss?:\/\//i.test(text)) return fromUrl(text);
  if (text.includes('://')) return fail(value, 'uses a scheme other than redis:// or rediss://');
  const match = /^(\[[^\]]+\]|[^:[\]/\s]+)(?::([^:]*))?$/.exec(text);
  if (match === null) return fail(value, 'is not a Redis address');
  return { host: unbracket(match[1] as string), port: portOf(value, match[2] ?? '') };
};

/** `host:port` of a connection, for messages. */
export const describeRedis = (connection: RedisConnection): string => {
  const host = connection.host ?? '127.0.0.1';
  return `${host.includes(':') ? `[${host}]` : host}:${connection.port ?? DEFAULT_PORT}`;
};
