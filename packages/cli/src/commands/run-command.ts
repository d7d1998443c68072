import { Engine } from '@pipewright/core';
import type { ExitCodeValue } from '../exit-codes';
import { loadPipeline } from '../load-pipelines';
import { ModuleIndex } from '../module-index';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import { parseParams } from '../parse-params';
import { checkRemotable, remoteExecutor } from '../remote-executor';
import type { RemoteOptions } from '../remote-executor';
import { driveRun } from './drive-run';
import type { DisplayOptions, Terminal } from './drive-run';

/** Options of `pipewright run`. */
export interface RunCommandOptions extends StoreOptions, DisplayOptions, RemoteOptions {
  /** `name=value` entries (`--param`, repeatable). */
  readonly param?: readonly string[];
}

/**
 * `pipewright run <file> [pipeline]`: runs the pipeline the file exports and shows it live;
 * with `--redis`, its steps run on agents (`pipewright agent`) through a `BullMQExecutor`.
 */
export const runCommand = async (
  file: string,
  pipelineName: string | undefined,
  options: RunCommandOptions,
  terminal: Terminal,
): Promise<ExitCodeValue> => {
  const params = parseParams(options.param ?? []);
  const pipeline = loadPipeline(file, pipelineName);
  const executor = remoteExecutor(options);
  if (options.redis !== undefined) checkRemotable(pipeline.definition, options.redis);
  const { store, path } = openStore(options);
  const engine = new Engine(executor === undefined ? { store } : { store, executor: executor() });
  try {
    return await driveRun(
      () => {
        const run = engine.start(pipeline.source, { params });
        if (path !== undefined) new ModuleIndex(path).remember(run.id, pipeline.file);
        return run;
      },
      { pipeline: pipeline.name, version: pipeline.version, storePath: path },
      options,
      terminal,
    );
  } finally {
    // Also when start() refused the run (a ParameterError): release the store.
    await engine.close();
  }
};
