import type { Pool, PoolClient } from 'pg';

const RECONNECT_MS = [50, 200, 1_000, 2_000];

/**
 * One LISTEN connection per store, taken from its pool when the first run is followed and
 * given back with the last: each commit NOTIFYs the runs it journaled, and the followers of those runs are told.
 * A lost connection is opened again (with backoff) while anyone follows; every follower is then
 * told once, since notifications sent meanwhile are gone.
 */
export class JournalListener {
  private readonly followers = new Map<string, Set<() => void>>();
  private client: PoolClient | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    /** The channel's quoted identifier. */
    private readonly quotedChannel: string,
  ) {}

  /** Calls `onAppend` whenever a commit journals events of `runId`; returns how to stop. */
  follow(runId: string, onAppend: () => void): () => void {
    let set = this.followers.get(runId);
    if (set === undefined) this.followers.set(runId, (set = new Set()));
    set.add(onAppend);
    this.ensureConnected();
    return () => {
      set.delete(onAppend);
      if (set.size === 0 && this.followers.get(runId) === set) this.followers.delete(runId);
      if (this.followers.size === 0) this.disconnect();
    };
  }

  close(): void {
    this.closed = true;
    this.followers.clear();
    this.disconnect();
  }

  private ensureConnected(): void {
    if (this.closed || this.client !== undefined || this.connecting !== undefined || this.retry !== undefined) return;
    let client: PoolClient | undefined;
    const lost = (error: unknown): void => {
      if (client === undefined || this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('notification');
      // Released with the error: the pool destroys the connection instead of reusing it.
      client.release(error instanceof Error ? error : true);
      this.scheduleReconnect();
    };
    this.connecting = this.pool
      .connect()
      .then(async (connected) => {
        client = connected;
        // An error on the idle connection (its backend terminated) must not crash the process.
        connected.on('error', lost);
        connected.on('end', () => lost(new Error('the LISTEN connection ended')));
        connected.on('notification', (message) => this.tell(message.payload));
        await connected.query(`LISTEN ${this.quotedChannel}`);
        this.connecting = undefined;
        if (this.closed || this.followers.size === 0) return this.drop(connected);
        this.client = connected;
        this.failures = 0;
        // Anything journaled before LISTEN took effect (or while the connection was down) is read now.
        this.tellAll();
      })
      .catch(() => {
        this.connecting = undefined;
        if (client !== undefined) this.drop(client, true);
        this.scheduleReconnect();
      });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.followers.size === 0 || this.retry !== undefined) return;
    const delay = RECONNECT_MS[Math.min(this.failures, RECONNECT_MS.length - 1)] as number;
    this.failures++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.ensureConnected();
    }, delay);
    this.retry.unref();
  }

  private disconnect(): void {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) this.drop(client);
  }

  /** Destroys the connection rather than return a LISTENing one to the pool. */
  private drop(client: PoolClient, broken = false): void {
    client.removeAllListeners('notification');
    client.release(broken ? new Error('the LISTEN connection failed') : true);
  }

  private tell(runId: string | undefined): void {
    if (runId === undefined) return;
    for (const onAppend of [...(this.followers.get(runId) ?? [])]) onAppend();
  }

  private tellAll(): void {
    for (const runId of [...this.followers.keys()]) this.tell(runId);
  }
}
