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

/** One entry of the stream as `XREAD` returns it in Buffer mode: its id and its fields and values. */
type Entry = [Buffer, Buffer[]];

/** The events the controller acts on; the others (`added`, `waiting`, `drained`, …) are skipped. */
const EVENTS = ['active', 'progress', 'completed', 'failed', 'stalled'] as const;
type EventName = (typeof EVENTS)[number];

/** Whether `bytes` spell the ASCII `text` (no string made to compare). */
const spells = (bytes: Buffer, text: string): boolean => {
  if (bytes.length !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
};

const field = (fields: readonly Buffer[], name: string): Buffer | undefined => {
  for (let i = 0; i < fields.length - 1; i += 2) if (spells(fields[i] as Buffer, name)) return fields[i + 1];
  return undefined;
};

const eventOf = (bytes: Buffer | undefined): EventName | undefined => {
  if (bytes !== undefined) for (const name of EVENTS) if (spells(bytes, name)) return name;
  return undefined;
};

const parse = (bytes: Buffer | undefined): unknown => {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytes.toString()) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Reads a BullMQ queue's events stream on a blocking connection of its own, like BullMQ's
 * `QueueEvents`, but builds nothing for the events the controller does not act on (`added`,
 * `waiting`, `drained`, … half of each job's entries): one job costs its few fields, not an
 * object and two emits per entry. Entries are read as Buffers (ioredis parses every reply into
 * Buffers, and a string reply is a second pass that copies each array and makes a string of each
 * field): only the fields acted on become strings.
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
      let reply: Array<[Buffer, Entry[]]> | null;
      try {
        reply = (await this.client.xreadBuffer('BLOCK', BLOCK_MS, 'STREAMS', this.key, id)) as typeof reply;
      } catch {
        // The connection dropped: ioredis reconnects; read on from the last entry seen.
        if (!this.closing) await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const entries = reply?.[0]?.[1] ?? [];
      for (const [, fields] of entries) {
        if (this.closing) return;
        this.dispatch(fields);
      }
      const last = entries[entries.length - 1];
      if (last !== undefined) id = last[0].toString();
    }
  }

  private dispatch(fields: readonly Buffer[]): void {
    const event = eventOf(field(fields, 'event'));
    if (event === undefined) return;
    const jobId = field(fields, 'jobId')?.toString();
    if (jobId === undefined) return;
    const { handlers } = this;
    if (event === 'active') handlers.active(jobId);
    else if (event === 'progress') handlers.progress(jobId, parse(field(fields, 'data')));
    else if (event === 'completed') handlers.completed(jobId, parse(field(fields, 'returnvalue')));
    else if (event === 'failed') handlers.failed(jobId, field(fields, 'failedReason')?.toString() ?? '');
    else handlers.stalled(jobId);
  }
}
