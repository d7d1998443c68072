import { Engine, registry } from '@pipewright/core';
import type { DashboardServer, StartedRun } from '@pipewright/dashboard';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { loadModule } from '../load-pipelines';
import { ModuleIndex } from '../module-index';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import type { Terminal } from './drive-run';

/** Options of `pipewright dashboard`. */
export interface DashboardCommandOptions extends Pick<StoreOptions, 'store'> {
  readonly port?: string;
  readonly host?: string;
  /** Modules declaring pipelines, loaded at start (runs' own modules are found in modules.json). */
  readonly module?: readonly string[];
}

/**
 * The dashboard package, required only here: the CLI lists it as an optional peer, so it is
 * installed only where the dashboard is used.
 */
export const requireDashboard = (): typeof import('@pipewright/dashboard') => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, loaded only by this command
    return require('@pipewright/dashboard') as typeof import('@pipewright/dashboard');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new CliError('DASHBOARD_NOT_INSTALLED', 'The dashboard is a separate package: npm install @pipewright/dashboard', { cause: error });
  }
};

export const parsePort = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const port = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) throw new CliError('BAD_OPTION', `--port must be a whole number from 0 to 65535, got '${value}'.`);
  return port;
};

/** Resolves on the first SIGINT or SIGTERM. */
export const untilSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

/**
 * `pipewright dashboard`: serves the web dashboard over a SQLite store until Ctrl-C. Runs that
 * Resume or Rerun start from the page are driven by this process, with the pipeline module
 * `pipewright run` recorded for the run (or one given with --module); they are stopped when it
 * exits.
 */
export const dashboardCommand = async (options: DashboardCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const port = parsePort(options.port);
  const { serveDashboard } = requireDashboard();
  for (const module of options.module ?? []) loadModule(module);
  const { store, path } = openStore({ ...(options.store === undefined ? {} : { store: options.store }) }, true);
  const modules = new ModuleIndex(path as string);
  const engine = new Engine({ store });
  let server: DashboardServer | undefined;
  try {
    server = await serveDashboard({
      engine,
      artifacts: store.artifacts,
      ...(port === undefined ? {} : { port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      loadPipeline: ({ runId, pipeline, version }) => {
        if (registry.find('pipeline', pipeline, version) !== undefined) return;
        const module = modules.lookup(runId);
        if (module !== undefined) loadModule(module);
      },
      onRunStarted: (run: StartedRun) => {
        const module = modules.lookup(run.from);
        if (run.action === 'rerun' && module !== undefined) modules.remember(run.runId, module);
      },
    });
    terminal.stdout.write(`Pipewright dashboard on ${server.url} (store ${path ?? ''}). Ctrl-C to stop.\n`);
    await untilSignal();
    return ExitCode.Success;
  } finally {
    await server?.close();
    await engine.close();
  }
};
