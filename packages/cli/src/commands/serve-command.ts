import { Engine, registry } from '@pipewright/core';
import type { PipelineSource, RunHandle, ScheduleHandle, ScheduleOptions } from '@pipewright/core';
import type { DashboardServer } from '@pipewright/dashboard';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { loadModule } from '../load-pipelines';
import { ModuleIndex } from '../module-index';
import { openStore } from '../open-store';
import { formatDuration } from '../render/format';
import { parsePort, requireDashboard, untilSignal } from './dashboard-command';
import type { Terminal } from './drive-run';

/** A schedule a `--module` exports for `pipewright serve`: `export const schedules: ServedSchedule[] = [...]`. */
export interface ServedSchedule extends Omit<ScheduleOptions, 'onRun' | 'onError'> {
  readonly pipeline: PipelineSource;
}

/** Options of `pipewright serve`. */
export interface ServeCommandOptions {
  readonly store?: string;
  /** Modules declaring pipelines (and `schedules`); repeatable. */
  readonly module?: readonly string[];
  readonly port?: string;
  readonly host?: string;
  /** `false` (`--no-dashboard`): serve no dashboard. */
  readonly dashboard?: boolean;
  /** How often to look for interrupted runs, in ms (default 5000). */
  readonly recoverEvery?: string;
}

const schedulesOf = (file: string): ServedSchedule[] => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- already loaded by loadModule: this reads its exports
  const exported = (require(file) as { schedules?: unknown }).schedules;
  if (exported === undefined) return [];
  if (!Array.isArray(exported)) throw new CliError('BAD_SCHEDULES', `${file} exports 'schedules', but not as an array of { pipeline, cron, params?, timezone? }.`);
  return exported as ServedSchedule[];
};

/**
 * `pipewright serve --module <file> --store <file>`: a long-lived controller. It resumes every
 * interrupted run (at start, then every `--recover-every` ms), fires the schedules the modules
 * export, and serves the dashboard, until SIGTERM or Ctrl-C. Then it stops firing, closes the
 * dashboard and the store, and exits: runs still in flight are left interrupted (their commits are
 * kept, waits keep their records) for the next `serve` or `recover` to resume.
 */
export const serveCommand = async (options: ServeCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const port = parsePort(options.port);
  const recoverEvery = options.recoverEvery === undefined ? 5_000 : Number(options.recoverEvery);
  if (!(Number.isInteger(recoverEvery) && recoverEvery >= 10)) throw new CliError('BAD_OPTION', `--recover-every must be a whole number of ms ≥ 10, got '${String(options.recoverEvery)}'.`);
  const files = (options.module ?? []).map((module) => loadModule(module).file);
  const served = files.flatMap(schedulesOf);
  const { store, path } = openStore({ ...(options.store === undefined ? {} : { store: options.store }) });
  const modules = new ModuleIndex(path as string);
  const engine = new Engine({ store });
  const say = (line: string): void => void terminal.stdout.write(`${line}\n`);
  const report = (run: RunHandle, how: string): void => {
    void run.result.then((result) => say(`run ${result.runId} ${result.status} in ${formatDuration(result.elapsedMs)}`));
    say(`${how} run ${run.id}`);
  };
  const schedules: ScheduleHandle[] = [];
  let server: DashboardServer | undefined;
  let recovering: NodeJS.Timeout | undefined;
  const recover = async (): Promise<void> => {
    for (const { runId } of await engine.interrupted()) {
      const module = modules.lookup(runId);
      const stored = await engine.inspect(runId);
      if (module !== undefined && registry.find('pipeline', stored.run.pipeline, stored.run.version) === undefined) loadModule(module);
    }
    for (const run of await engine.recover({ onSkip: (runId, error) => say(`cannot resume run ${runId}: ${error instanceof Error ? error.message : String(error)}`) })) report(run, 'resumed');
  };
  try {
    await recover();
    for (const { pipeline, ...scheduleOptions } of served) {
      const schedule = engine.schedule(pipeline, { ...scheduleOptions, onRun: (run) => report(run, `schedule ${schedule.id} started`), onError: (error) => say(`schedule ${schedule.id}: ${error instanceof Error ? error.message : String(error)}`) });
      schedules.push(schedule);
      await schedule.ready;
      say(`schedule ${schedule.id}: '${scheduleOptions.cron}', next ${schedule.next()?.toISOString() ?? '-'}`);
    }
    if (options.dashboard !== false) {
      const { serveDashboard } = requireDashboard();
      server = await serveDashboard({ engine, artifacts: store.artifacts, ...(port === undefined ? {} : { port }), ...(options.host === undefined ? {} : { host: options.host }) });
      say(`dashboard on ${server.url}`);
    }
    recovering = setInterval(() => void recover().catch((error: unknown) => say(`recover failed: ${error instanceof Error ? error.message : String(error)}`)), recoverEvery);
    say(`Pipewright serving store ${path ?? ''}. SIGTERM or Ctrl-C to stop.`);
    const signal = await untilSignal();
    say(`${signal}: stopping`);
    return ExitCode.Success;
  } finally {
    if (recovering !== undefined) clearInterval(recovering);
    for (const schedule of schedules) schedule.stop();
    await server?.close();
    // Not engine.close(): that would abort the runs in flight; they stay interrupted and resumable instead.
    await store.close();
  }
};
