import { Engine } from '@pipewright/core';
import type { ErrorInfo, RunSummary, StepResult, StoredRun } from '@pipewright/core';
import { CliError } from '../errors';
import { openStore } from '../open-store';
import type { StoreOptions } from '../open-store';
import { formatDuration, formatValue, toJsonLine } from '../render/format';
import type { Terminal } from './drive-run';

/** `interrupted`: stored as `running`, but the process that drove it is gone. */
const RUN_STATUSES = ['running', 'interrupted', 'succeeded', 'failed', 'aborted'] as const;

/** Options of `pipewright runs`. */
export interface RunsCommandOptions extends StoreOptions {
  readonly pipeline?: string;
  readonly status?: string;
  /** Text of `--limit`; a positive integer. */
  readonly limit?: string;
  readonly json?: boolean;
}

/** Options of `pipewright runs show`. */
export interface ShowCommandOptions extends StoreOptions {
  readonly json?: boolean;
}

const parseLimit = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError('BAD_OPTION', `Bad --limit '${text}': give a whole number of runs, 1 or more.`);
  return limit;
};

const parseStatus = (text: string | undefined): (typeof RUN_STATUSES)[number] | undefined => {
  if (text === undefined) return undefined;
  const status = RUN_STATUSES.find((candidate) => candidate === text);
  if (status === undefined) throw new CliError('BAD_OPTION', `Bad --status '${text}': use one of ${RUN_STATUSES.join(', ')}.`);
  return status;
};

const timestamp = (at: number | undefined): string => (at === undefined ? '-' : new Date(at).toISOString().replace('T', ' ').slice(0, 19));

/** `pipewright runs`: the stored runs, newest first. */
export const runsCommand = async (options: RunsCommandOptions, terminal: Terminal): Promise<void> => {
  const limit = parseLimit(options.limit);
  const status = parseStatus(options.status);
  const engine = new Engine({ store: openStore(options, true).store });
  try {
    const interrupted = new Set((await engine.interrupted()).map((run) => run.runId));
    const stored = await engine.history({
      ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
      ...(status === undefined ? {} : { status: status === 'interrupted' ? 'running' : status }),
      ...(limit === undefined || status === 'interrupted' || status === 'running' ? {} : { limit }),
    });
    const marked = stored.map((run) => (interrupted.has(run.runId) ? { ...run, status: 'interrupted' as const } : run));
    const runs = marked.filter((run) => status === undefined || run.status === status).slice(0, limit);
    terminal.stdout.write(options.json === true ? `${toJsonLine(runs)}\n` : formatRuns(runs));
  } finally {
    await engine.close();
  }
};

type ListedRun = Omit<RunSummary, 'status'> & { readonly status: RunSummary['status'] | 'interrupted' };

const formatRuns = (runs: readonly ListedRun[]): string => {
  if (runs.length === 0) return 'No runs match. Start one with: pipewright run <file.ts>\n';
  const table = [
    ['RUN', 'PIPELINE', 'STATUS', 'STARTED (UTC)', 'DURATION'],
    ...runs.map((run) => [
      run.runId,
      `${run.pipeline}@${run.version}`,
      run.status,
      timestamp(run.startedAt),
      run.endedAt === undefined ? '-' : formatDuration(run.endedAt - run.startedAt),
    ]),
  ];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  const interrupted = runs.filter((run) => run.status === 'interrupted');
  if (interrupted.length === 1) lines.push('', `Run ${interrupted[0]?.runId} was interrupted (its process is gone): pipewright resume ${interrupted[0]?.runId}`);
  if (interrupted.length > 1) lines.push('', `${interrupted.length} runs were interrupted (their processes are gone): pipewright resume <runId>, or all of them: pipewright recover`);
  return `${lines.join('\n')}\n`;
};

/** `pipewright runs show <runId>`: one run with its steps. Unknown ids fail with `RUN_NOT_FOUND`. */
export const showCommand = async (runId: string, options: ShowCommandOptions, terminal: Terminal): Promise<void> => {
  const engine = new Engine({ store: openStore(options, true).store });
  try {
    const stored = await engine.inspect(runId);
    const interrupted = stored.run.status === 'running' && (await engine.interrupted()).some((run) => run.runId === runId);
    terminal.stdout.write(options.json === true ? `${toJsonLine(interrupted ? { ...stored, interrupted } : stored)}\n` : formatRun(stored, interrupted));
  } finally {
    await engine.close();
  }
};

const formatRun = ({ run, steps }: StoredRun, interrupted: boolean): string => {
  const lines = [
    `run ${run.runId} · ${run.pipeline}@${run.version} · ${interrupted ? 'interrupted' : run.status}`,
    `started ${timestamp(run.startedAt)} UTC` +
      (run.endedAt === undefined ? '' : ` · ended ${timestamp(run.endedAt)} UTC · ${formatDuration(run.endedAt - run.startedAt)}`),
    `params ${formatValue(run.params, 200)}`,
  ];
  if (interrupted) lines.push(`its process is gone; go on with: pipewright resume ${run.runId}`);
  if (run.error !== undefined) lines.push(`error ${run.error.message}${run.error.code === undefined ? '' : ` [${run.error.code}]`}`, ...errorDetails(run.error, '  '));
  const entries = Object.entries(steps).sort(([, a], [, b]) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity));
  lines.push(`steps (${entries.length})`);
  const width = Math.max(0, ...entries.map(([name]) => name.length));
  for (const [name, step] of entries) lines.push(...formatStep(name.padEnd(width), step));
  return `${lines.join('\n')}\n`;
};

const formatStep = (name: string, step: StepResult): string[] => {
  const duration = step.startedAt === undefined || step.endedAt === undefined ? '' : formatDuration(step.endedAt - step.startedAt);
  const attempts = step.attempts === 0 ? '' : `${step.attempts} attempt${step.attempts === 1 ? '' : 's'}`;
  const lines = [`  ${name}  ${step.status.padEnd(9)}  ${attempts.padEnd(10)}  ${duration}`.trimEnd()];
  const indent = '      ';
  if (step.error !== undefined) {
    lines.push(`${indent}error   ${step.error.message}${step.error.code === undefined ? '' : ` [${step.error.code}]`}`, ...errorDetails(step.error, `${indent}  `));
  }
  if (step.output !== undefined) lines.push(`${indent}output  ${formatValue(step.output, 200)}`);
  const metrics = Object.entries(step.metrics);
  if (metrics.length > 0) lines.push(`${indent}metrics ${metrics.map(([metric, value]) => `${metric}=${value}`).join(', ')}`);
  const artifacts = Object.values(step.artifacts);
  if (artifacts.length > 0) lines.push(`${indent}artifacts ${artifacts.map((artifact) => `${artifact.name} (${artifact.size} bytes)`).join(', ')}`);
  for (const log of step.logs.slice(-3)) lines.push(`${indent}log     ${log.message}`);
  return lines;
};

/** An error's stack (without its first line, which repeats the message) and its causes, when the store kept them. */
const errorDetails = (error: ErrorInfo, indent: string): string[] => {
  const lines: string[] = [];
  let current: DetailedError | undefined = error as DetailedError;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (depth > 0) lines.push(`${indent}caused by: ${current.name === undefined ? '' : `${current.name}: `}${current.message ?? String(current)}`);
    const frames = typeof current.stack === 'string' ? current.stack.split('\n').filter((line) => /^\s+at /.test(line)) : [];
    for (const frame of frames) lines.push(`${indent}  ${frame.trim()}`);
    current = typeof current.cause === 'object' && current.cause !== null ? (current.cause as DetailedError) : current.cause === undefined ? undefined : { message: String(current.cause) };
  }
  return lines;
};

/** What a failure may carry besides `ErrorInfo`'s fields: its stack, and the error that caused it. */
interface DetailedError {
  readonly message?: string;
  readonly name?: string;
  readonly stack?: unknown;
  readonly cause?: unknown;
}
