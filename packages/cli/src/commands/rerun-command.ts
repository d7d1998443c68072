import { Engine } from '@pipewright/core';
import type { ExitCodeValue } from '../exit-codes';
import { ModuleIndex } from '../module-index';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import { parseParams } from '../parse-params';
import { loadModuleOfRun } from '../run-module';
import { driveRun } from './drive-run';
import type { DisplayOptions, Terminal } from './drive-run';

/** Options of `pipewright rerun`. */
export interface RerunCommandOptions extends StoreOptions, DisplayOptions {
  /** The step to run again, with its descendants. */
  readonly from: string;
  /** `name=value` entries over the run's own params. */
  readonly param?: readonly string[];
  /** Rerun even though the pipeline's code changed since the run began. */
  readonly force?: boolean;
}

/**
 * `pipewright rerun <runId> --from <step> [file]`: a new run of a stored run's pipeline (`engine.fork`)
 * that keeps the results of the steps not downstream of `--from` and runs that step and its
 * descendants again, with `--param` over the stored params. Shown live like `run`.
 */
export const rerunCommand = async (runId: string, file: string | undefined, options: RerunCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const params = parseParams(options.param ?? []);
  const { store, path } = openStore(options, true);
  const engine = new Engine({ store });
  try {
    const { run } = await engine.inspect(runId);
    const module = loadModuleOfRun(runId, file, path as string, 'rerun');
    return await driveRun(
      () => {
        const fork = engine.fork(runId, { from: options.from, params, ...(options.force === true ? { force: true } : {}) });
        new ModuleIndex(path as string).remember(fork.id, module);
        return fork;
      },
      { pipeline: run.pipeline, version: run.version, storePath: path },
      options,
      terminal,
    );
  } finally {
    await engine.close();
  }
};
