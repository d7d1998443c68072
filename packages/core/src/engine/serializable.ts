import { isPlainObject } from '../graph/reference';

/** Where a value stops being faithfully JSON-serializable, and why. */
export interface SerializationProblem {
  /** Path from the root, e.g. `output.model.weights[2]`. */
  readonly path: string;
  readonly reason: string;
}

const describe = (value: unknown): string | undefined => {
  switch (typeof value) {
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return 'a BigInt (store it as a string)';
    case 'number':
      return Number.isFinite(value) ? undefined : `${String(value)}, which JSON turns into null`;
    default:
      return undefined;
  }
};

/**
 * The first part of `value` that JSON would drop or change: functions, symbols, BigInt,
 * non-finite numbers, cycles, and class instances (Date, Map, Buffer, your own classes) that
 * would come back as plain objects. `undefined` when the value round-trips faithfully.
 */
export const findUnserializable = (value: unknown, root = 'output'): SerializationProblem | undefined => {
  if (isFaithful(value, 0)) return undefined;
  const ancestors = new Set<object>();
  const visit = (current: unknown, path: string): SerializationProblem | undefined => {
    const simple = describe(current);
    if (simple !== undefined) return { path, reason: `is ${simple}` };
    if (typeof current !== 'object' || current === null) return undefined;
    if (ancestors.has(current)) return { path, reason: 'refers back to one of its own ancestors (a cycle)' };
    if (!Array.isArray(current) && !isPlainObject(current)) {
      const name = (current as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
      const hint = ArrayBuffer.isView(current) ? '; put bytes in artifacts with ctx.artifacts.put' : '';
      return { path, reason: `is an instance of ${name}, which would lose its type${hint}` };
    }
    ancestors.add(current);
    try {
      if (Array.isArray(current)) {
        for (let index = 0; index < current.length; index++) {
          const item: unknown = current[index];
          if (item === undefined) return { path: `${path}[${index}]`, reason: 'is undefined, which JSON turns into null' };
          const problem = visit(item, `${path}[${index}]`);
          if (problem) return problem;
        }
      } else {
        for (const [key, item] of Object.entries(current)) {
          if (item === undefined) continue; // dropped by JSON, read back as undefined: faithful
          const problem = visit(item, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);
          if (problem) return problem;
        }
      }
    } finally {
      ancestors.delete(current);
    }
    return undefined;
  };
  return visit(value, root);
};

/** How deep the quick check goes before it leaves the value to the full one (which also finds cycles). */
const QUICK_DEPTH = 32;

/**
 * The common case, without a path string or a set per value: plain objects, arrays and JSON
 * scalars all the way down. `false` means "look closer", not "unserializable".
 */
const isFaithful = (value: unknown, depth: number): boolean => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= QUICK_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (item === undefined || !isFaithful(item, depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const item = value[key];
    if (item !== undefined && !isFaithful(item, depth + 1)) return false;
  }
  return true;
};
