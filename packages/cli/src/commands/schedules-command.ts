import { Engine } from '@pipewright/core';
import type { ScheduleInfo } from '@pipewright/core';
import { ExitCode } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import type { Terminal } from './drive-run';

/** Options of `pipewright schedules`. */
export interface SchedulesCommandOptions extends StoreOptions {
  readonly json?: boolean;
}

const when = (at: number | undefined): string => (at === undefined ? '-' : new Date(at).toISOString());

/** One line per schedule: id, pipeline, cron and zone, next tick, last tick and its run. */
const describeSchedule = (schedule: ScheduleInfo): string =>
  [
    schedule.id,
    `${schedule.pipeline}@${schedule.version}`,
    `'${schedule.cron}'${schedule.timezone === undefined ? '' : ` ${schedule.timezone}`}`,
    `next ${when(schedule.nextAt)}`,
    `last ${when(schedule.lastTickAt)}${schedule.lastRunId === undefined ? '' : ` (run ${schedule.lastRunId})`}`,
  ].join('  ');

/** `pipewright schedules`: the schedules kept in the store, with their next fire time. */
export const schedulesCommand = async (options: SchedulesCommandOptions, terminal: Terminal): Promise<ExitCodeValue> => {
  const engine = new Engine({ store: openStore(options, true).store });
  try {
    const schedules = await engine.listSchedules();
    if (options.json === true) terminal.stdout.write(`${JSON.stringify(schedules, null, 2)}\n`);
    else if (schedules.length === 0) terminal.stdout.write('No schedules. A controller registers them with engine.schedule() or pipewright serve.\n');
    else for (const schedule of schedules) terminal.stdout.write(`${describeSchedule(schedule)}\n`);
    return ExitCode.Success;
  } finally {
    await engine.close();
  }
};
