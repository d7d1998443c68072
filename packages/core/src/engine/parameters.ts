import type { Params } from '../model/options';
import { ParameterError } from '../errors/errors';
import { parseTemplate } from '../graph/reference';
import type { PipelineDefinition } from '../metadata/pipeline-definition';

/** Run parameters sorted into pipeline parameters and per-step overrides. */
export interface RunParams {
  /** Declared defaults overridden by the run's top-level params. */
  readonly pipeline: Readonly<Params>;
  /** `'step.param'` overrides, by step. */
  readonly steps: ReadonlyMap<string, Params>;
}

/** `typeof`, but telling arrays and null apart from objects. */
export const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const checkType = (parameter: string, declared: Params, value: unknown, step?: string): void => {
  const name = step === undefined ? parameter : (parameter.split('.')[1] as string);
  const fallback = declared[name];
  // A default that is null, missing, or itself a reference says nothing about the type.
  if (fallback === null || fallback === undefined) return;
  if (typeof fallback === 'string' && parseTemplate(fallback)?.whole) return;
  const expected = typeName(fallback);
  const actual = typeName(value);
  if (expected !== actual) {
    throw new ParameterError(
      'PARAMETER_TYPE',
      `Parameter '${parameter}' must be ${expected} (its declared default is ${JSON.stringify(fallback)}), got ${actual}.`,
      { parameter, ...(step === undefined ? {} : { step }), declared: Object.keys(declared), expected, actual },
    );
  }
};

/**
 * Validates a run's parameters against the definition. Top-level names are pipeline
 * parameters; `'step.param'` addresses one step. Throws `ParameterError`
 * (`UNKNOWN_PARAMETER`, `PARAMETER_TYPE`) before anything runs.
 */
export const resolveRunParams = (definition: PipelineDefinition, given: Params = {}): RunParams => {
  const pipeline: Params = { ...definition.params };
  const steps = new Map<string, Params>();
  const declaredPipeline = Object.keys(definition.params);
  for (const [parameter, value] of Object.entries(given)) {
    const dot = parameter.indexOf('.');
    if (dot < 0) {
      // Own keys only: `toString` or `constructor` are Object members, not declared parameters.
      if (!Object.hasOwn(definition.params, parameter)) {
        throw new ParameterError(
          'UNKNOWN_PARAMETER',
          `Pipeline '${definition.name}' has no parameter '${parameter}'. Declared: ${declaredPipeline.join(', ') || '(none)'}.`,
          { parameter, declared: declaredPipeline },
        );
      }
      checkType(parameter, definition.params, value);
      pipeline[parameter] = value;
      continue;
    }
    const step = parameter.slice(0, dot);
    const name = parameter.slice(dot + 1);
    const node = definition.graph.get(step);
    if (node === undefined) {
      const names = [...definition.graph.order];
      throw new ParameterError(
        'UNKNOWN_PARAMETER',
        `Parameter '${parameter}' addresses step '${step}', which pipeline '${definition.name}' does not have. Steps: ${names.join(', ')}.`,
        { parameter, step, declared: names },
      );
    }
    const declared = node.declaredParams;
    if (declared !== undefined) {
      if (!Object.hasOwn(declared, name)) {
        const names = Object.keys(declared);
        throw new ParameterError(
          'UNKNOWN_PARAMETER',
          `Step '${step}' has no parameter '${name}' (given as '${parameter}'). Declared: ${names.join(', ') || '(none)'}.`,
          { parameter, step, declared: names },
        );
      }
      checkType(parameter, declared, value, step);
    }
    const overrides = steps.get(step);
    if (overrides) overrides[name] = value;
    else steps.set(step, { [name]: value });
  }
  return { pipeline, steps };
};
