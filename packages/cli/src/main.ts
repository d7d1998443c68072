import { Command, CommanderError, Option } from 'commander';
import { EngineError, PipewrightError, StepError } from '@pipewright/core';
import { agentCommand } from './commands/agent-command';
import type { AgentCommandOptions } from './commands/agent-command';
import { dashboardCommand } from './commands/dashboard-command';
import type { DashboardCommandOptions } from './commands/dashboard-command';
import { graphCommand } from './commands/graph-command';
import { recoverCommand } from './commands/recover-command';
import { rerunCommand } from './commands/rerun-command';
import { stopCommand } from './commands/stop-command';
import { watchCommand } from './commands/watch-command';
import { resumeCommand } from './commands/resume-command';
import { runCommand } from './commands/run-command';
import { runsCommand, showCommand } from './commands/runs-command';
import { schedulesCommand } from './commands/schedules-command';
import { serveCommand } from './commands/serve-command';
import type { ServeCommandOptions } from './commands/serve-command';
import { signalCommand } from './commands/signal-command';
import type { Terminal } from './commands/drive-run';
import { CliError } from './errors';
import { ExitCode } from './exit-codes';
import { DEFAULT_STORE_PATH } from './open-store';
import { DEFAULT_REDIS } from './redis-address';
import { GRAPH_FORMATS } from './render/graph-formats';

// `previous` is undefined for options declared without a default (kept out of --help).
const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

const buildProgram = (terminal: Terminal, setExitCode: (code: number) => void): Command => {
  const program = new Command('pipewright')
    .description('Run Pipewright pipelines with live progress, draw their graphs; inspect, watch, stop, resume, recover and rerun runs.')
    .version(readVersion(), '-V, --version')
    .option('--verbose', 'show stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: (text) => terminal.stdout.write(text), writeErr: (text) => terminal.stderr.write(text) });

  program
    .command('run')
    .description('run a pipeline that a .ts or .js file exports')
    .argument('<file>', 'module exporting the @Pipeline class')
    .argument('[pipeline]', 'export or pipeline name, when the file exports several')
    .option('-p, --param <name=value>', 'pipeline parameter (or step.param), JSON when it parses; repeatable', collect, [])
    .option('--store <path>', `SQLite file that keeps the run (default ${DEFAULT_STORE_PATH})`)
    .option('--memory', 'keep the run in memory only')
    .option('--json', 'print events as JSON lines, then the result')
    .option('--plain', 'one line per event, even on a terminal')
    .option('--redis <address>', 'run the steps on agents: Redis as host:port or redis://user:password@host:port/db')
    .option('--prefix <prefix>', "BullMQ key prefix of the agents (with --redis; default 'pipewright')")
    .action(async (file: string, pipeline: string | undefined, options: Parameters<typeof runCommand>[2]) => {
      setExitCode(await runCommand(file, pipeline, options, terminal));
    });

  program
    .command('graph')
    .description("print a pipeline's DAG")
    .argument('<file>', 'module exporting the @Pipeline class')
    .argument('[pipeline]', 'export or pipeline name, when the file exports several')
    .addOption(new Option('-f, --format <format>', 'output format').choices(GRAPH_FORMATS).default('ascii'))
    .action((file: string, pipeline: string | undefined, options: { format: string }) => {
      graphCommand(file, pipeline, options, terminal);
    });

  const runs = program
    .command('runs')
    .description('list stored runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--status <status>', 'only runs with this status (running, interrupted, succeeded, failed, aborted)')
    .option('--limit <n>', 'at most n runs')
    .option('--store <path>', `SQLite file of the runs (default ${DEFAULT_STORE_PATH})`)
    .option('--json', 'print JSON')
    .action(async (options: Parameters<typeof runsCommand>[0]) => {
      await runsCommand(options, terminal);
    });
  runs
    .command('show')
    .description('one run: its steps, statuses, durations, errors, metrics')
    .argument('<runId>', 'id of the run')
    // --store and --json are the parent's options, read from there: `runs` parses them wherever they appear.
    .action(async (runId: string, _options: unknown, command: Command) => {
      await showCommand(runId, command.optsWithGlobals(), terminal);
    });

  program
    .command('resume')
    .description('continue a stored run; finished steps are not run again')
    .argument('<runId>', 'id of the run')
    .argument('[file]', 'module of its pipeline (default: the file it was run from)')
    .option('--store <path>', `SQLite file of the run (default ${DEFAULT_STORE_PATH})`)
    .option('--force', "resume even though the pipeline's code changed since the run began")
    .option('--json', 'print events as JSON lines, then the result')
    .option('--plain', 'one line per event, even on a terminal')
    .option('--redis <address>', 'run the remaining steps on agents: Redis as host:port or redis://…')
    .option('--prefix <prefix>', "BullMQ key prefix of the agents (with --redis; default 'pipewright')")
    .action(async (runId: string, file: string | undefined, options: Parameters<typeof resumeCommand>[2]) => {
      setExitCode(await resumeCommand(runId, file, options, terminal));
    });

  program
    .command('watch')
    .description('follow a stored run live, whichever process drives it: its events so far, then live ones')
    .argument('<runId>', 'id of the run')
    .option('--store <path>', `SQLite file of the run (default ${DEFAULT_STORE_PATH})`)
    .option('--json', 'print events as JSON lines, then the result')
    .option('--plain', 'one line per event, even on a terminal')
    .action(async (runId: string, options: Parameters<typeof watchCommand>[1]) => {
      setExitCode(await watchCommand(runId, options, terminal));
    });

  program
    .command('stop')
    .description('stop a run, whichever process drives it, and wait until it has ended')
    .argument('<runId>', 'id of the run')
    .option('--store <path>', `SQLite file of the run (default ${DEFAULT_STORE_PATH})`)
    .option('--reason <text>', 'why, recorded on the aborted steps')
    .option('--no-wait', 'return once the request is recorded')
    .action(async (runId: string, options: Parameters<typeof stopCommand>[1]) => {
      setExitCode(await stopCommand(runId, options, terminal));
    });

  program
    .command('recover')
    .description('resume every run whose process is gone, and wait for them')
    .option('--store <path>', `SQLite file of the runs (default ${DEFAULT_STORE_PATH})`)
    .option('--force', "resume runs whose pipeline's code changed since they began")
    .action(async (options: Parameters<typeof recoverCommand>[0]) => {
      setExitCode(await recoverCommand(options, terminal));
    });

  program
    .command('rerun')
    .description('a new run of a stored run: --from <step> and its descendants run again, the other steps keep their results')
    .argument('<runId>', 'id of the run')
    .argument('[file]', 'module of its pipeline (default: the file it was run from)')
    .requiredOption('--from <step>', 'the step to run again, with every step downstream of it')
    .option('-p, --param <name=value>', 'parameter over the run\'s own (or step.param), JSON when it parses; repeatable', collect, [])
    .option('--store <path>', `SQLite file of the run (default ${DEFAULT_STORE_PATH})`)
    .option('--force', "rerun even though the pipeline's code changed since the run began")
    .option('--json', 'print events as JSON lines, then the result')
    .option('--plain', 'one line per event, even on a terminal')
    .action(async (runId: string, file: string | undefined, options: Parameters<typeof rerunCommand>[2]) => {
      setExitCode(await rerunCommand(runId, file, options, terminal));
    });

  program
    .command('agent')
    .description("serve execution queues: run the steps that controllers' runs send to them")
    .option('-q, --queue <name>', "queue to serve; repeatable (default 'default')", collect)
    .option('-m, --module <file>', 'a .ts or .js file declaring the @Pipeline and @Task classes to run; repeatable', collect)
    .option('--redis <address>', `Redis as host:port or redis://user:password@host:port/db (default ${DEFAULT_REDIS})`)
    .option('-c, --concurrency <n>', 'steps run at once, per queue (default 1)')
    .option('--prefix <prefix>', "BullMQ key prefix; controllers must use the same (default 'pipewright')")
    .option('--id <id>', "the agent's id in events (default <host>:<pid>:<random>)")
    .option('--lock-duration <ms>', "how long a taken step stays locked without renewal before another agent may re-run it (default 30000)")
    .option('--stalled-interval <ms>', 'how often to look for steps of dead agents (default 30000)')
    .option('--connect-timeout <ms>', 'how long to wait for Redis before giving up (default 5000)')
    .action(async (options: AgentCommandOptions) => {
      setExitCode(await agentCommand(options, terminal));
    });

  program
    .command('dashboard')
    .description('serve the web dashboard of the stored runs (loopback only unless --host says otherwise)')
    .option('--store <path>', `SQLite file of the runs (default ${DEFAULT_STORE_PATH})`)
    .option('--port <port>', 'TCP port (default 4280; 0 picks a free one)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('-m, --module <file>', 'a .ts or .js file declaring pipelines, for runs not started by pipewright run; repeatable', collect)
    .action(async (options: DashboardCommandOptions) => {
      setExitCode(await dashboardCommand(options, terminal));
    });

  program
    .command('signal')
    .description("deliver a signal to a run's ctx.waitFor(name), whichever process drives it")
    .argument('<runId>', 'id of the run')
    .argument('<name>', 'name of the signal')
    .option('--data <json>', 'the payload, as JSON (default null)')
    .option('--store <path>', `SQLite file of the run (default ${DEFAULT_STORE_PATH})`)
    .action(async (runId: string, name: string, options: Parameters<typeof signalCommand>[2]) => {
      setExitCode(await signalCommand(runId, name, options, terminal));
    });

  program
    .command('schedules')
    .description('list the schedules kept in the store, with their next fire time')
    .option('--store <path>', `SQLite file of the runs (default ${DEFAULT_STORE_PATH})`)
    .option('--json', 'print JSON')
    .action(async (options: Parameters<typeof schedulesCommand>[0]) => {
      setExitCode(await schedulesCommand(options, terminal));
    });

  program
    .command('serve')
    .description('a long-lived controller: recovers interrupted runs, fires the schedules its modules export, serves the dashboard')
    .option('-m, --module <file>', 'a .ts or .js file declaring pipelines, and `export const schedules = [...]`; repeatable', collect)
    .option('--store <path>', `SQLite file of the runs (default ${DEFAULT_STORE_PATH})`)
    .option('--port <port>', 'dashboard TCP port (default 4280; 0 picks a free one)')
    .option('--host <host>', 'dashboard interface (default 127.0.0.1)')
    .option('--no-dashboard', 'serve no dashboard')
    .option('--recover-every <ms>', 'how often to look for interrupted runs (default 5000)')
    .action(async (options: ServeCommandOptions) => {
      setExitCode(await serveCommand(options, terminal));
    });

  return program;
};

const readVersion = (): string => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: only the commands that use it pay for it
  return (require('../package.json') as { version: string }).version;
};

/** Rewords core errors whose message speaks of the engine rather than of the command line. */
const messageOf = (error: Error): string => {
  if (error instanceof EngineError && error.code === 'RUN_NOT_FOUND') {
    return `No run '${error.runId ?? '?'}' in the store; list the stored runs with: pipewright runs`;
  }
  if (error instanceof EngineError && error.code === 'RUN_INTERRUPTED') {
    return `${error.message.replace(/ Resume it to go on\.$/, '')} Resume it with: pipewright resume ${error.runId ?? '<runId>'}`;
  }
  if (error instanceof PipewrightError && error.code === 'REDIS_UNAVAILABLE') {
    return `${error.message} Start Redis there, or point --redis at a reachable one (host:port or redis://…).`;
  }
  return error.message;
};

/**
 * Errors that mean "nothing ran because of what was asked": the CLI's own, and core's or a
 * store's (definition, parameter, unknown run, unreadable database). A step's error is not one:
 * it ends a run, which reports it.
 */
const isUsageError = (error: unknown): error is Error =>
  error instanceof CliError || (error instanceof PipewrightError && !(error instanceof StepError));

/**
 * Runs the `pipewright` command line and resolves with the process's exit code: 0 success,
 * 1 failed run, 2 usage or definition error, 130 run stopped by Ctrl-C.
 *
 * @param argv - `process.argv` as node gives it (the first two entries are skipped).
 */
export const main = async (argv: readonly string[], terminal: Terminal = process): Promise<number> => {
  let exitCode: number = ExitCode.Success;
  const program = buildProgram(terminal, (code) => {
    exitCode = code;
  });
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? ExitCode.Success : ExitCode.Usage;
    }
    const usage = isUsageError(error);
    const message = error instanceof Error ? messageOf(error) : String(error);
    terminal.stderr.write(`pipewright: ${usage ? message : `unexpected error: ${message}`}\n`);
    if (verbose) {
      terminal.stderr.write(`${error instanceof Error ? (error.stack ?? message) : message}\n`);
      const cause = error instanceof Error ? error.cause : undefined;
      if (cause instanceof Error) terminal.stderr.write(`caused by: ${cause.stack ?? cause.message}\n`);
    } else if (!usage) {
      terminal.stderr.write('Run again with --verbose for the stack trace.\n');
    }
    return usage ? ExitCode.Usage : ExitCode.Failed;
  }
};
