import type { ErrorInfo } from '../model/results';

/** The serializable description of anything thrown. */
export const toErrorInfo = (error: unknown): ErrorInfo => {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { message: error.message, code, name: error.name } : { message: error.message, name: error.name };
  }
  return { message: typeof error === 'string' ? error : `Non-error thrown: ${String(error)}`, name: 'Error' };
};

/** An `Error` rebuilt from its description (what `ctx.spawn` rejects with). */
export const fromErrorInfo = (info: ErrorInfo): Error => {
  const error = new Error(info.message) as Error & { code?: string };
  error.name = info.name;
  if (info.code !== undefined) error.code = info.code;
  return error;
};
