import { Engine } from '@pipewright/core';
import type { ExitCodeValue } from '../exit-codes';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import { remoteExecutor } from '../remote-executor';
import type { RemoteOptions } from '../remote-executor';
import { loadModuleOfRun } from '../run-module';
import { driveRun } from './drive-run';
import type { DisplayOptions, Terminal } from './drive-run';

/** Options of `pipewright resume`. */
export interface ResumeCommandOptions extends StoreOptions, DisplayOptions, RemoteOptions {
  /** Resume even though the pipeline's code changed since the run began. */
  readonly force?: boolean;
}

/**
 * `pipewright resume <runId> [file]`: continues a stored run under the same id; finished steps
 * are not run again. The pipeline's module is the one `run` recorded, unless `file` is given.
 * With `--redis`, the remaining steps run on agents.
 */
export const resumeCommand = async (
  runId: string,
  file: string | undefined,
  options: ResumeCommandOptions,
  terminal: Terminal,
): Promise<ExitCodeValue> => {
  const executor = remoteExecutor(options);
  const { store, path } = openStore(options, true);
  const engine = new Engine(executor === undefined ? { store } : { store, executor: executor() });
  try {
    const { run } = await engine.inspect(runId);
    // Loading the module enters its @Pipeline classes in the registry, where resume() finds them.
    loadModuleOfRun(runId, file, path as string, 'resume');
    return await driveRun(
      () => engine.startResume(runId, options.force === true ? { force: true } : {}),
      { pipeline: run.pipeline, version: run.version, storePath: path },
      options,
      terminal,
    );
  } finally {
    await engine.close();
  }
};
