import type { ErrorInfo } from '../model/results';

// Deep enough for real chains (wrapper → library error → system error); a cycle stops here too.
const MAX_CAUSES = 8;

const describe = (error: unknown, depth: number, seen: Set<unknown>): ErrorInfo => {
  if (!(error instanceof Error)) {
    return { message: typeof error === 'string' ? error : `Non-error thrown: ${String(error)}`, name: 'Error' };
  }
  seen.add(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause;
  const followCause = cause !== undefined && depth < MAX_CAUSES && !seen.has(cause);
  return {
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    name: error.name,
    ...(typeof error.stack === 'string' ? { stack: error.stack } : {}),
    ...(followCause ? { cause: describe(cause, depth + 1, seen) } : {}),
  };
};

/**
 * The serializable description of anything thrown: message, name, code, and the stack and
 * `cause` chain, so that a failure read back from a store or an agent still says where it
 * came from.
 */
export const toErrorInfo = (error: unknown): ErrorInfo => describe(error, 0, new Set());

/** An `Error` rebuilt from its description (what `ctx.spawn` rejects with), stack and causes included. */
export const fromErrorInfo = (info: ErrorInfo): Error => {
  const error = new Error(info.message, info.cause !== undefined ? { cause: fromErrorInfo(info.cause) } : undefined) as Error & { code?: string };
  error.name = info.name;
  if (info.code !== undefined) error.code = info.code;
  if (info.stack !== undefined) error.stack = info.stack;
  return error;
};
