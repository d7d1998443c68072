import { Engine } from '@pipewright/core';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { ModuleIndex } from '../module-index';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import { formatDuration } from '../render/format';
import { loadModuleOfRun } from '../run-module';
import type { Terminal } from './drive-run';

/** Options of `pipewright recover`. */
export interface RecoverCommandOptions extends StoreOptions {
  /** Resume runs whose pipeline changed since they began. */
  readonly force?: boolean;
}

/**
 * `pipewright recover`: resumes every run whose process is gone (`engine.recover()`), each from the
 * module `run` recorded for it, and waits for them; one line per run. Exit 0 when every
 * interrupted run was resumed and succeeded, 1 otherwise.
 */
export const recoverCommand = async (options: RecoverCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const { store, path } = openStore(options, true);
  const engine = new Engine({ store });
  try {
    const interrupted = await engine.interrupted();
    if (interrupted.length === 0) {
      terminal.stdout.write('No interrupted runs.\n');
      return ExitCode.Success;
    }
    let skipped = 0;
    const index = new ModuleIndex(path as string);
    for (const { runId } of interrupted) {
      if (index.lookup(runId) === undefined) continue; // reported by recover() below, as not loaded
      try {
        loadModuleOfRun(runId, undefined, path as string, 'resume');
      } catch (error) {
        terminal.stderr.write(`Cannot load the pipeline of run ${runId}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    const handles = await engine.recover({
      ...(options.force === true ? { force: true } : {}),
      onSkip: (runId, error) => {
        skipped++;
        terminal.stderr.write(`Skipped run ${runId}: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    });
    if (handles.length > 0) terminal.stdout.write(`Resuming ${handles.length} interrupted run${handles.length === 1 ? '' : 's'}: ${handles.map((handle) => handle.id).join(', ')}\n`);
    let failed = 0;
    for (const result of await Promise.all(handles.map((handle) => handle.result))) {
      if (result.status !== 'succeeded') failed++;
      terminal.stdout.write(`run ${result.runId} ${result.status} in ${formatDuration(result.elapsedMs)}\n`);
    }
    return failed + skipped === 0 ? ExitCode.Success : ExitCode.Failed;
  } finally {
    await engine.close();
  }
};
