import { CliError } from './errors';
import { loadModule } from './load-pipelines';
import { ModuleIndex } from './module-index';

/**
 * Loads the module of a stored run's pipeline (the file given, else the one `run` recorded beside
 * the store), so that the engine finds its `@Pipeline` class in the registry. Returns the file.
 * Throws `CliError` `MODULE_UNKNOWN` when neither is known, showing `command` with the file added.
 */
export const loadModuleOfRun = (runId: string, file: string | undefined, storePath: string, command: string): string => {
  const module = file ?? new ModuleIndex(storePath).lookup(runId);
  if (module === undefined) {
    throw new CliError('MODULE_UNKNOWN', `No pipeline file is recorded for run '${runId}': pass it, as in pipewright ${command} ${runId} <file.ts>.`);
  }
  loadModule(module);
  return module;
};
