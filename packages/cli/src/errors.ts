import { PipewrightError } from '@pipewright/core';

/** Codes of {@link CliError}: the command line itself cannot be carried out. */
export type CliErrorCode =
  | 'FILE_NOT_FOUND'
  | 'LOAD_FAILED'
  | 'SYNTAX_ERROR'
  | 'MISSING_PACKAGE'
  | 'NO_PIPELINE'
  | 'PIPELINE_NAME_REQUIRED'
  | 'UNKNOWN_PIPELINE'
  | 'BAD_PARAM'
  | 'BAD_OPTION'
  | 'MODULE_UNKNOWN'
  | 'NOT_REMOTE'
  | 'DASHBOARD_NOT_INSTALLED'
  | 'SIGNAL_NOT_JSON'
  | 'BAD_SCHEDULES';

/**
 * A usage error of the `pipewright` command: its message is the one line shown to the user
 * (what went wrong and what to do), and it always ends the process with exit code 2.
 */
export class CliError extends PipewrightError {
  static override readonly kind = 'CliError';
  declare readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
