import { PipewrightError } from '@pipewright/core';

/** Codes of {@link DashboardError}. */
export type DashboardErrorCode =
  /** The front-end bundle (dist/public) is not there: the package was not built. */
  | 'ASSETS_MISSING'
  /** The server could not listen on the host and port asked for. */
  | 'LISTEN_FAILED'
  /** An option of `createDashboard` or `serveDashboard` is invalid. */
  | 'INVALID_OPTION';

/** Everything `@pipewright/dashboard` throws, with a stable `code`. */
export class DashboardError extends PipewrightError {
  static override readonly kind = 'DashboardError';
  declare readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
