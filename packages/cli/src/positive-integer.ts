import { CliError } from './errors';

/**
 * Reads a whole number ≥ 1 given to `option` (`--concurrency 4`). Throws `CliError`
 * `BAD_OPTION` naming the option and the value.
 */
export const parsePositiveInteger = (value: string, option: string): number => {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(number) && number >= 1)) {
    throw new CliError('BAD_OPTION', `${option} must be a whole number ≥ 1, got '${value}'.`);
  }
  return number;
};
