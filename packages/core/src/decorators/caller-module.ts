import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `@Pipeline` and `@Task` record the file of the module that declared the class. */
export const SOURCE_MODULE = Symbol.for('@pipewright/core:source-module');

// This package's own folder (src/ in the repository, dist/ once built): its frames are skipped.
const OWN_ROOT = resolve(__dirname, '..');
const HELPERS = [`${sep}node_modules${sep}tslib${sep}`, `${sep}node_modules${sep}reflect-metadata${sep}`, `${sep}node_modules${sep}tsyringe${sep}`];

const fileOf = (name: string | null | undefined): string | undefined => {
  if (name === null || name === undefined || name.startsWith('node:')) return undefined;
  if (name.startsWith('file://')) return fileURLToPath(name);
  return name.startsWith(sep) || /^[A-Za-z]:[\\/]/.test(name) ? name : undefined;
};

/**
 * The file of the module that is calling a decorator right now: the first stack frame outside
 * this package, tslib, reflect-metadata and tsyringe. Undefined for code without a file (eval).
 */
export const callerModule = (): string | undefined => {
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, callerModule);
    for (const frame of holder.stack ?? []) {
      const file = fileOf(frame.getFileName());
      if (file === undefined || file.startsWith(OWN_ROOT + sep) || HELPERS.some((helper) => file.includes(helper))) continue;
      return file;
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = original;
  }
};
