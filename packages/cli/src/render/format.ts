import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

/** `850 ms`, `1.2 s`, `2m 05s`: a duration as people read it. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
};

/** A value shown inline: JSON, cut to `max` characters. */
export const formatValue = (value: unknown, max = 120): string => {
  let text: string;
  try {
    text = JSON.stringify(value, jsonReplacer()) ?? String(value);
  } catch {
    text = String(value);
  }
  return truncate(text, max);
};

/**
 * `text` cut to `max` terminal columns, with an ellipsis when cut (cli-truncate: wide
 * characters take two columns, colour codes none).
 */
export const truncate = (text: string, max: number): string => (max <= 0 ? '' : cliTruncate(text, max));

/** `text` padded with spaces to `width` terminal columns. */
export const padColumns = (text: string, width: number): string => `${text}${' '.repeat(Math.max(0, width - stringWidth(text)))}`;

/**
 * A `JSON.stringify` replacer for values that JSON cannot hold as they are (a memory store
 * lets steps return anything): bigints as strings, buffers by their size, cycles marked.
 */
export const jsonReplacer = (): ((this: unknown, key: string, value: unknown) => unknown) => {
  const ancestors: unknown[] = [];
  return function replace(this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    if (typeof value !== 'object' || value === null) return value;
    if ((value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
      return `<${(value as { data: unknown[] }).data.length} bytes>`;
    }
    // `this` is the object holding `value`: drop ancestors that are no longer on the path.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    return value;
  };
};

/** One line of JSON for any value (see {@link jsonReplacer}). */
export const toJsonLine = (value: unknown): string => JSON.stringify(value, jsonReplacer());
