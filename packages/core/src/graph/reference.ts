/**
 * `${…}` references in step parameters: parsed into data, never evaluated as code.
 *
 * - `${pipeline.rows}` (and deeper: `${pipeline.cfg.depth}`)
 * - `${prepare.output}`, `${prepare.output.rows}`, `${prepare.output.items.0}`
 * - `${prepare.artifacts.model}`
 * - `${prepare.id}`
 */

/** One parsed reference. */
export type Reference =
  | { readonly kind: 'pipeline'; readonly source: string; readonly param: string; readonly path: readonly string[] }
  | { readonly kind: 'output'; readonly source: string; readonly step: string; readonly path: readonly string[] }
  | { readonly kind: 'artifact'; readonly source: string; readonly step: string; readonly name: string }
  | { readonly kind: 'id'; readonly source: string; readonly step: string };

/** A string split into literal text and references. */
export interface ParsedTemplate {
  readonly parts: ReadonlyArray<string | Reference>;
  /** The string is exactly one reference: its value keeps its type instead of being interpolated. */
  readonly whole: boolean;
}

/** Thrown by the parser; the scanner turns it into `BAD_REFERENCE` with the step's name. */
export class ReferenceSyntaxError extends Error {}

const SEGMENT = /^[A-Za-z_$][\w$-]*$|^\d+$/;

const parseReference = (source: string): Reference => {
  const segments = source.split('.').map((segment) => segment.trim());
  if (segments.some((segment) => !SEGMENT.test(segment))) {
    throw new ReferenceSyntaxError(`\${${source}} is not a reference: expected names separated by dots`);
  }
  const [head, field, ...rest] = segments as [string, ...string[]];
  if (head === 'pipeline') {
    if (field === undefined) throw new ReferenceSyntaxError(`\${${source}} names no pipeline parameter`);
    return { kind: 'pipeline', source, param: field, path: rest };
  }
  switch (field) {
    case 'output':
      return { kind: 'output', source, step: head, path: rest };
    case 'artifacts':
      if (rest.length !== 1) throw new ReferenceSyntaxError(`\${${source}} must name one artifact: \${${head}.artifacts.<name>}`);
      return { kind: 'artifact', source, step: head, name: rest[0] as string };
    case 'id':
      if (rest.length !== 0) throw new ReferenceSyntaxError(`\${${source}}: a step id has no fields`);
      return { kind: 'id', source, step: head };
    default:
      throw new ReferenceSyntaxError(
        `\${${source}} must be \${pipeline.<param>}, \${<step>.output…}, \${<step>.artifacts.<name>} or \${<step>.id}`,
      );
  }
};

const parseCache = new Map<string, ParsedTemplate | null>();

/** Parses a string; `null` when it holds no reference. Throws {@link ReferenceSyntaxError}. */
export const parseTemplate = (text: string): ParsedTemplate | null => {
  const cached = parseCache.get(text);
  if (cached !== undefined) return cached;
  let parsed: ParsedTemplate | null = null;
  if (text.includes('${')) {
    const parts: Array<string | Reference> = [];
    let index = 0;
    while (index < text.length) {
      const open = text.indexOf('${', index);
      if (open < 0) {
        parts.push(text.slice(index));
        break;
      }
      if (open > index) parts.push(text.slice(index, open));
      const close = text.indexOf('}', open + 2);
      if (close < 0) throw new ReferenceSyntaxError(`unclosed reference in "${text}"`);
      parts.push(parseReference(text.slice(open + 2, close)));
      index = close + 1;
    }
    parsed = { parts, whole: parts.length === 1 && typeof parts[0] !== 'string' };
  }
  if (parseCache.size < 10_000) parseCache.set(text, parsed);
  return parsed;
};

/** Every reference inside a parameter value (strings inside plain objects and arrays). */
export const collectReferences = (value: unknown, into: Reference[] = []): Reference[] => {
  if (typeof value === 'string') {
    const parsed = parseTemplate(value);
    if (parsed) for (const part of parsed.parts) if (typeof part !== 'string') into.push(part);
  } else if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) collectReferences(item, into);
  }
  return into;
};

/** The step a reference points at, if it points at one. */
export const referencedStep = (reference: Reference): string | undefined =>
  reference.kind === 'pipeline' ? undefined : reference.step;

/** `true` for `{}` literals and `Object.create(null)`, not for class instances, arrays or buffers. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};
