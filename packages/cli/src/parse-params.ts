import type { Params } from '@pipewright/core';
import { CliError } from './errors';

// A pipeline parameter (`rows`) or a step's (`train.lr`): identifiers, at most one dot.
const KEY = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)?$/;

/**
 * Turns repeated `--param name=value` options into run params. A value is parsed as JSON when
 * it parses (`10`, `true`, `[1,2]`, `"10"`), and kept as a string otherwise (`hello`).
 * Throws `CliError` (`BAD_PARAM`) for anything that is not `name=value`.
 */
export const parseParams = (entries: readonly string[]): Params => {
  const params: Params = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq).trim();
    if (eq < 0 || !KEY.test(key)) {
      throw new CliError(
        'BAD_PARAM',
        `Bad --param '${entry}': write it as name=value or step.name=value (e.g. --param rows=10 --param train.lr=0.1).`,
      );
    }
    // defineProperty: `params['__proto__'] = …` would set the prototype and drop the parameter silently.
    Object.defineProperty(params, key, { value: parseValue(entry.slice(eq + 1)), enumerable: true, writable: true, configurable: true });
  }
  return params;
};

const parseValue = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};
