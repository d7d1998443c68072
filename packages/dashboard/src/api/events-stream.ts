import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PipelineEvent } from '@pipewright/core';
import type { Subscription } from 'rxjs';
import type { DashboardEngine } from '../dashboard-engine';
import { sendError, writeHead } from '../server/http';

/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/runs/<runId>/events`: the run's events as Server-Sent Events, from `engine.watch`
 * (the journal so far, then live). Each event is one `data:` line of JSON whose `id` is its
 * index in the journal, so a browser that reconnects (it sends `Last-Event-ID`) gets only what
 * it missed. After the run's final event, an `end` event tells the page to stop listening.
 * The subscription ends when the client goes away.
 */
export const streamEvents = async (engine: DashboardEngine, runId: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  if (engine.watch === undefined) {
    sendError(res, 501, 'NOT_SUPPORTED', 'This engine cannot watch runs (engine.watch is missing).');
    return;
  }
  // An unknown run is a 404 (inspect rejects with RUN_NOT_FOUND) before the stream begins.
  await engine.inspect(runId);
  if (req.destroyed) return;
  const lastId = Number(req.headers['last-event-id']);
  const skip = Number.isInteger(lastId) && lastId >= 0 ? lastId + 1 : 0;
  writeHead(res, 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write(': pipewright events\n\n');
  let index = 0;
  let subscription: Subscription | undefined;
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const finish = (): void => {
    clearInterval(heartbeat);
    subscription?.unsubscribe();
  };
  req.once('close', finish);
  res.once('close', finish);
  const watch = engine.watch.bind(engine);
  subscription = watch(runId).subscribe({
    next: (event: PipelineEvent) => {
      const id = index;
      index += 1;
      if (id >= skip) res.write(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
    },
    error: (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      res.end(`event: failure\ndata: ${JSON.stringify({ code: typeof code === 'string' ? code : 'WATCH_FAILED', message })}\n\n`);
      finish();
    },
    complete: () => {
      res.end('event: end\ndata: {}\n\n');
      finish();
    },
  });
};
