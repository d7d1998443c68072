import { relative, resolve } from 'node:path';
import type { RunHandle, RunResult } from '@pipewright/core';
import { DEFAULT_STORE_PATH } from '../open-store';

/** What the run's header says about it. */
export interface RunHeader {
  readonly pipeline: string;
  readonly version: string;
  /** Where the run is kept, when it is kept at all. */
  readonly storePath: string | undefined;
}

/**
 * What a reporter shows: a run's id, its events, and the steps known before its events name
 * them (a live handle's graph, or a watched run's stored steps).
 */
export interface ShownRun {
  readonly id: string;
  readonly events$: RunHandle['events$'];
  readonly graph: { readonly order: readonly string[] };
}

/** Shows a run as it goes: live view, plain lines or JSON lines. */
export interface Reporter {
  /** Subscribes to the run; called in the same tick as `engine.start()` so no event is missed. */
  attach(run: ShownRun, header: RunHeader): void;
  /** A message from the CLI itself (e.g. "stopping…"), outside the event stream. */
  notice(message: string): void;
  /** Shows the final result once the run has ended. */
  finish(result: RunResult): void;
  /** Leaves the terminal tidy when the process is about to exit at once. */
  abandon(): void;
}

/** The command that shows a stored run: `pipewright runs show <id>`, with `--store` unless it is the default one. */
export const showCommandFor = (runId: string, storePath: string): string =>
  storePath === resolve(DEFAULT_STORE_PATH)
    ? `pipewright runs show ${runId}`
    : `pipewright runs show ${runId} --store ${relative(process.cwd(), storePath) || storePath}`;
