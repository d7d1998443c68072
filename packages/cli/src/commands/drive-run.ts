import type { RunHandle } from '@pipewright/core';
import { exitCodeOf } from '../exit-codes';
import type { ExitCodeValue } from '../exit-codes';
import { JsonReporter } from '../render/json-reporter';
import { LiveView } from '../render/live-view';
import { PlainReporter } from '../render/plain-reporter';
import type { Reporter, RunHeader } from '../render/reporter';

/** How a run is shown. */
export interface DisplayOptions {
  /** Events as JSON lines, then the result. */
  readonly json?: boolean;
  /** One plain line per event even on a terminal. */
  readonly plain?: boolean;
}

/** What a run is shown on; the process's streams by default. */
export interface Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Exit code used when a second Ctrl-C abandons a run that is still stopping. */
const FORCED_EXIT = 130;

/** The reporter the display options and the terminal call for. */
export const chooseReporter = (options: DisplayOptions, terminal: Terminal): Reporter => {
  if (options.json === true) return new JsonReporter(terminal.stdout, terminal.stderr);
  if (terminal.stdout.isTTY === true && options.plain !== true) return new LiveView(terminal.stdout);
  return new PlainReporter(terminal.stdout);
};

/**
 * Starts a run, shows it until it ends, and returns the exit code its status calls for.
 * The first Ctrl-C stops the run gracefully (`run.stop()`: running steps see their signal
 * abort, the rest are skipped); a second one exits at once with 130.
 *
 * `start` must call `engine.start()` (or `startResume()`): the reporter subscribes in the
 * same tick, which is what guarantees it sees every event. The caller closes the engine.
 */
export const driveRun = async (
  start: () => RunHandle,
  header: RunHeader,
  options: DisplayOptions,
  terminal: Terminal,
): Promise<ExitCodeValue> => {
  const run = start();
  const reporter = chooseReporter(options, terminal);
  reporter.attach(run, header);

  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      reporter.notice('Stopping the run… (press Ctrl-C again to quit at once)');
      void run.stop('interrupted (SIGINT)');
      return;
    }
    reporter.abandon();
    terminal.stderr.write('Quit before the run finished stopping.\n');
    process.exit(FORCED_EXIT);
  };
  process.on('SIGINT', onInterrupt);
  try {
    const result = await run.result;
    reporter.finish(result);
    return exitCodeOf(result.status);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
};
