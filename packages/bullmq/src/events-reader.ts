import type { Redis } from 'ioredis';
import { closeClient, DEFAULT_CONNECT_TIMEOUT_MS, describeConnection, openClient, whenReady } from './connection';
import type { RedisConnection } from './connection';

/** What the controller acts on in a queue's events stream. */
export interface QueueEventHandlers {
  active(jobId: string): void;
  progress(jobId: string, data: unknown): void;
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: string): void;
  stalled(jobId: string): void;
}

/** How long one blocking read waits before it is renewed. */
const BLOCK_MS = 10_000;

const field = (fields: readonly string[], name: string): string | undefined => {
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
};

const parse = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Reads a BullMQ queue's events stream on a blocking connection of its own, like BullMQ's
 * `QueueEvents`, but builds nothing for the events the controller does not act on (`added`,
 * `waiting`, `drained`, … half of each job's entries): one job costs its few fields, not an
 * object and two emits per entry.
 */
export class EventsReader {
  private readonly client: Redis;
  private closing = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: RedisConnection,
    /** The stream's key: `<prefix>:<queue>:events`. */
    private readonly key: string,
    private readonly handlers: QueueEventHandlers,
  ) {
    this.client = openClient(connection);
  }

  /** Connects, then reads every entry after `lastId`. */
  async start(lastId: string): Promise<void> {
    await whenReady(this.client, DEFAULT_CONNECT_TIMEOUT_MS, describeConnection(this.connection));
    this.loop = this.read(lastId);
  }

  /** Stops reading; an entry read meanwhile is not acted on. */
  async close(): Promise<void> {
    this.closing = true;
    this.client.disconnect(); // ends the blocking read at once
    await this.loop;
    await closeClient(this.client);
  }

  private async read(from: string): Promise<void> {
    let id = from;
    while (!this.closing) {
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        reply = (await this.client.xread('BLOCK', BLOCK_MS, 'STREAMS', this.key, id)) as typeof reply;
      } catch {
        // The connection dropped: ioredis reconnects; read on from the last entry seen.
        if (!this.closing) await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const entries = reply?.[0]?.[1] ?? [];
      for (const [entryId, fields] of entries) {
        if (this.closing) return;
        id = entryId;
        this.dispatch(fields);
      }
    }
  }

  private dispatch(fields: readonly string[]): void {
    const event = field(fields, 'event');
    if (event !== 'active' && event !== 'progress' && event !== 'completed' && event !== 'failed' && event !== 'stalled') return;
    const jobId = field(fields, 'jobId');
    if (jobId === undefined) return;
    const { handlers } = this;
    if (event === 'active') handlers.active(jobId);
    else if (event === 'progress') handlers.progress(jobId, parse(field(fields, 'data')));
    else if (event === 'completed') handlers.completed(jobId, parse(field(fields, 'returnvalue')));
    else if (event === 'failed') handlers.failed(jobId, field(fields, 'failedReason') ?? '');
    else handlers.stalled(jobId);
  }
}
