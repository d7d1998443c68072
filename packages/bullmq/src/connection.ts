import IORedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import { DistributedError } from './errors';

/** How to reach Redis: ioredis options (`host`, `port`, `password`, `db`, `tls`, ...). */
export type RedisConnection = RedisOptions;

/** Default wait for Redis before an operation fails with `REDIS_UNAVAILABLE`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** `host:port` for messages. */
export const describeConnection = (connection: RedisConnection): string =>
  connection.path ?? `${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;

/**
 * A client of our own (commands, pub/sub). Its `error` events are kept, not thrown: ioredis
 * reconnects by itself, and callers learn of an outage through {@link whenReady}.
 */
export const openClient = (connection: RedisConnection): Redis & { lastError?: Error } => {
  // A short disconnectTimeout: ioredis arms it even for a socket that is already closed (Redis
  // down), and the timer alone would keep the process alive for its default 2 s.
  const client = new IORedis({ disconnectTimeout: 200, ...connection, maxRetriesPerRequest: null }) as Redis & { lastError?: Error };
  client.on('error', (error: Error) => (client.lastError = error));
  return client;
};

/**
 * Resolves once `client` is connected; rejects with `REDIS_UNAVAILABLE` after `timeoutMs`.
 * Fast when already connected: one status check, no round-trip.
 */
export const whenReady = (client: Redis & { lastError?: Error }, timeoutMs: number, where: string): Promise<void> => {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      const cause = client.lastError;
      reject(
        new DistributedError(
          'REDIS_UNAVAILABLE',
          `Redis at ${where} is unreachable (waited ${timeoutMs} ms${cause ? `: ${cause.message}` : ''}).`,
          cause ? { cause } : undefined,
        ),
      );
    }, timeoutMs);
    client.once('ready', onReady);
  });
};

/** Closes a client without waiting on a dead server. */
export const closeClient = async (client: Redis): Promise<void> => {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
};
