import { CliError } from './errors';

/**
 * Requires one of the packages the CLI only needs for some commands (`@pipewright/sqlite`
 * for stored runs, `@pipewright/bullmq` for agents): they are optional peer dependencies, so a
 * project that never uses them does not install better-sqlite3, BullMQ or ioredis. Throws
 * `CliError` `MISSING_PACKAGE`, naming the package and the way round it, when it is absent.
 */
export const requireOptional = <T>(name: string, neededFor: string, otherwise: string): T => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, loaded only by the command that needs it
    return require(name) as T;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${name}'`);
    if (!missing) throw error;
    throw new CliError('MISSING_PACKAGE', `${neededFor} needs ${name}: install it (npm install ${name})${otherwise}.`, { cause: error });
  }
};
