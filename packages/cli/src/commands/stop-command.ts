import { lastValueFrom } from 'rxjs';
import { Engine, EngineError } from '@pipewright/core';
import type { PipelineEvent } from '@pipewright/core';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import type { Terminal } from './drive-run';

/** Options of `pipewright stop`. */
export interface StopCommandOptions extends StoreOptions {
  /** Recorded as the steps' error message. */
  readonly reason?: string;
  /** `false` (`--no-wait`): return once the request is recorded. */
  readonly wait?: boolean;
}

/**
 * `pipewright stop <runId>`: stops a run that another process drives (it picks the request up
 * within its poll interval) or whose process is gone (marked aborted here), and waits until the
 * run has ended. A run that has ended already is left as it is.
 */
export const stopCommand = async (runId: string, options: StopCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const engine = new Engine({ store: openStore(options, true).store });
  const reason = options.reason ?? 'stopped with pipewright stop';
  try {
    const { run } = await engine.inspect(runId);
    if (run.status !== 'running') {
      terminal.stdout.write(`Run ${runId} has already ended: ${run.status}.\n`);
      return ExitCode.Success;
    }
    await engine.stopRun(runId, reason);
    if (options.wait === false) {
      terminal.stdout.write(`Asked run ${runId} to stop.\n`);
      return ExitCode.Success;
    }
    let last: PipelineEvent | undefined;
    try {
      last = await lastValueFrom(engine.watch(runId), { defaultValue: undefined });
    } catch (error) {
      // Its process died before it could stop: nobody drives it now, so it is ended here.
      if (!(error instanceof EngineError && error.code === 'RUN_INTERRUPTED')) throw error;
      await engine.stopRun(runId, reason);
    }
    const status = last !== undefined && 'status' in last ? last.status : (await engine.inspect(runId)).run.status;
    terminal.stdout.write(`Run ${runId} ${status}.\n`);
    return ExitCode.Success;
  } finally {
    await engine.close();
  }
};
