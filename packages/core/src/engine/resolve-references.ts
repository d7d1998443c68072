import type { Params } from '../model/options';
import { StepError } from '../errors/errors';
import { isPlainObject, parseTemplate } from '../graph/reference';
import type { Reference } from '../graph/reference';
import type { ArtifactRef } from '../model/results';

/** What references can see while a step's parameters are resolved. */
export interface ReferenceScope {
  readonly step: string;
  readonly pipelineParams: Readonly<Params>;
  /** `undefined` when the step has no result (not run, or not a parent). */
  output(step: string): { readonly value: unknown } | undefined;
  artifact(step: string, name: string): ArtifactRef | undefined;
  id(step: string): string;
}

const NOT_FOUND = Symbol('not found');

const walk = (value: unknown, path: readonly string[]): unknown => {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return NOT_FOUND;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
};

const missing = (scope: ReferenceScope, reference: Reference, why: string): never => {
  throw new StepError('REFERENCE_NOT_FOUND', scope.step, `Step '${scope.step}': \${${reference.source}} cannot be resolved: ${why}.`);
};

const resolveReference = (reference: Reference, scope: ReferenceScope): unknown => {
  switch (reference.kind) {
    case 'pipeline': {
      const value = walk(scope.pipelineParams, [reference.param, ...reference.path]);
      return value === NOT_FOUND ? missing(scope, reference, `pipeline parameters have no '${[reference.param, ...reference.path].join('.')}'`) : value;
    }
    case 'output': {
      const output = scope.output(reference.step);
      if (output === undefined) return missing(scope, reference, `step '${reference.step}' has no output`);
      const value = walk(output.value, reference.path);
      return value === NOT_FOUND ? missing(scope, reference, `the output of '${reference.step}' has no '${reference.path.join('.')}'`) : value;
    }
    case 'artifact': {
      const artifact = scope.artifact(reference.step, reference.name);
      return artifact === undefined ? missing(scope, reference, `step '${reference.step}' stored no artifact '${reference.name}'`) : artifact.id;
    }
    case 'id':
      return scope.id(reference.step);
  }
};

const interpolate = (value: unknown): string =>
  typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);

/**
 * Replaces `${…}` references inside a parameter value. A string that is exactly one reference
 * becomes the referenced value (its type kept); references inside longer strings are interpolated.
 * Throws `StepError` `REFERENCE_NOT_FOUND` naming the path that is missing.
 */
export const resolveReferences = (value: unknown, scope: ReferenceScope): unknown => {
  if (typeof value === 'string') {
    const parsed = parseTemplate(value);
    if (parsed === null) return value;
    if (parsed.whole) return resolveReference(parsed.parts[0] as Reference, scope);
    return parsed.parts.map((part) => (typeof part === 'string' ? part : interpolate(resolveReference(part, scope)))).join('');
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, scope));
  if (isPlainObject(value)) {
    const resolved: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) resolved[key] = resolveReferences(item, scope);
    return resolved;
  }
  return value;
};
