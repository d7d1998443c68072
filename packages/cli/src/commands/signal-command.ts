import { Engine } from '@pipewright/core';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import type { Terminal } from './drive-run';

/** Options of `pipewright signal`. */
export interface SignalCommandOptions extends StoreOptions {
  /** The payload, as JSON (`null` when absent). */
  readonly data?: string;
}

/**
 * `pipewright signal <runId> <name> [--data JSON]`: delivers a signal to the run's
 * `ctx.waitFor(name)`, whichever process drives it (kept if no step waits for it yet).
 * `--data` that is not JSON is refused (`SIGNAL_NOT_JSON`), as are an unknown or finished run.
 */
export const signalCommand = async (runId: string, name: string, options: SignalCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  let payload: unknown = null;
  if (options.data !== undefined) {
    try {
      payload = JSON.parse(options.data) as unknown;
    } catch (error) {
      throw new CliError('SIGNAL_NOT_JSON', `--data of signal '${name}' must be JSON (quote strings: '"yes"'), got ${options.data}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const engine = new Engine({ store: openStore(options, true).store });
  try {
    await engine.signal(runId, name, payload);
    terminal.stdout.write(`Sent signal '${name}' to run ${runId}.\n`);
    return ExitCode.Success;
  } finally {
    await engine.close();
  }
};
