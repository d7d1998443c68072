import type { RunStatus } from '@pipewright/core';

/** Exit codes of the `pipewright` command. */
export const ExitCode = {
  /** The run succeeded (or the command did what it was asked). */
  Success: 0,
  /** The run failed. */
  Failed: 1,
  /** The pipeline's definition or the command line is wrong; nothing ran. */
  Usage: 2,
  /** The run was stopped (Ctrl-C), as shells report SIGINT. */
  Aborted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code that reports a run ending with `status`. */
export const exitCodeOf = (status: RunStatus): ExitCodeValue =>
  status === 'succeeded' ? ExitCode.Success : status === 'aborted' ? ExitCode.Aborted : ExitCode.Failed;
