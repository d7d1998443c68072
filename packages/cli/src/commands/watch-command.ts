import { Subject } from 'rxjs';
import { Engine } from '@pipewright/core';
import type { PipelineEvent, RunResult, RunStatus } from '@pipewright/core';
import { exitCodeOf } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import { chooseReporter } from './drive-run';
import type { DisplayOptions, Terminal } from './drive-run';

/** Options of `pipewright watch`. */
export interface WatchCommandOptions extends StoreOptions, DisplayOptions {}

/**
 * `pipewright watch <runId>`: the live view of a stored run, whichever process drives it: its
 * events so far, then live ones until it ends; exits with the code its status calls for. A run
 * whose driver dies ends the watch with `RUN_INTERRUPTED` (exit 2, with what to do).
 */
export const watchCommand = async (runId: string, options: WatchCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const { store, path } = openStore(options, true);
  const engine = new Engine({ store });
  try {
    const stored = await engine.inspect(runId);
    const events$ = new Subject<PipelineEvent>();
    const reporter = chooseReporter(options, terminal);
    reporter.attach({ id: runId, events$, graph: { order: Object.keys(stored.steps) } }, { pipeline: stored.run.pipeline, version: stored.run.version, storePath: path });
    let last: PipelineEvent | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        engine.watch(runId).subscribe({
          next: (event) => {
            last = event;
            events$.next(event);
          },
          complete: resolve,
          error: reject,
        });
      });
    } catch (error) {
      reporter.abandon();
      throw error;
    }
    events$.complete();
    const ended = await engine.inspect(runId);
    const status = (last !== undefined && 'status' in last ? last.status : ended.run.status) as RunStatus;
    const result: RunResult = {
      runId,
      pipeline: ended.run.pipeline,
      version: ended.run.version,
      status,
      steps: ended.steps,
      elapsedMs: last !== undefined && 'elapsedMs' in last ? last.elapsedMs : (ended.run.endedAt ?? Date.now()) - ended.run.startedAt,
      error: ended.run.error,
    };
    reporter.finish(result);
    return exitCodeOf(status);
  } finally {
    await engine.close();
  }
};
