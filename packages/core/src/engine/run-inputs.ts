import type { Params } from '../model/options';
import { EngineError, ParameterError, PipelineDefinitionError } from '../errors/errors';
import { isPlainObject } from '../graph/reference';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { scanPipeline } from '../metadata/scanner';
import type { RunOptions } from './run-handle';
import { findUnserializable } from './serializable';
import { newId } from '../model/ids';

/** Whether `source` is a definition from `definePipeline(...).build()` (or `scanPipeline`), checked by shape. */
const isDefinition = (source: object): source is PipelineDefinition => {
  const candidate = source as Partial<Record<keyof PipelineDefinition, unknown>>;
  const graph = candidate.graph as { order?: unknown; get?: unknown } | undefined;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.version === 'string' &&
    isPlainObject(candidate.params) &&
    Array.isArray(candidate.beforeStep) &&
    Array.isArray(candidate.afterStep) &&
    typeof graph === 'object' &&
    graph !== null &&
    Array.isArray(graph.order) &&
    typeof graph.get === 'function'
  );
};

/**
 * The definition of what `start()` was given: a `@Pipeline` class (scanned) or a built definition.
 * Anything else, including an object that only looks like a definition, is `NOT_A_PIPELINE`.
 */
export const definitionOf = (source: unknown): PipelineDefinition => {
  if (typeof source !== 'object' || source === null) return scanPipeline(source);
  if (isDefinition(source)) return source;
  const name = typeof (source as { name?: unknown }).name === 'string' ? (source as { name: string }).name : '(unnamed object)';
  throw new PipelineDefinitionError(
    'NOT_A_PIPELINE',
    `${name} is not a pipeline: pass a @Pipeline class or what definePipeline(...).build() returns.`,
    { pipeline: name },
  );
};

/** The first NaN or ±Infinity inside arrays and plain objects, with its path. */
const findNonFinite = (value: unknown, path: string, seen: Set<object>): { path: string; reason: string } | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, reason: `is ${value}, which JSON turns into null` };
  if (typeof value !== 'object' || value === null || seen.has(value) || !(Array.isArray(value) || isPlainObject(value))) return undefined;
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    const found = findNonFinite(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, seen);
    if (found) return found;
  }
  return undefined;
};

/**
 * Checks run options the scheduler cannot: `params` is an object, and every parameter value can
 * be stored and read back for `resume()` (no NaN or ±Infinity anywhere; with a durable store,
 * JSON-faithful values only). Throws `EngineError` `INVALID_OPTION` or `ParameterError` `PARAMETER_VALUE`.
 */
export const checkRunOptions = (options: RunOptions, durable: boolean): void => {
  if (typeof options !== 'object' || options === null) {
    throw new EngineError('INVALID_OPTION', `Run options must be an object, got ${options === null ? 'null' : typeof options}.`, { subject: 'options' });
  }
  const params: unknown = options.params;
  if (params === undefined) return;
  if (!isPlainObject(params)) {
    const got = params === null ? 'null' : Array.isArray(params) ? 'an array' : typeof params;
    throw new EngineError('INVALID_OPTION', `Run option params must be an object of parameter values, got ${got}.`, { subject: 'params' });
  }
  for (const [parameter, value] of Object.entries(params as Params)) {
    // Off durable stores, class instances and functions are fine; a non-finite number never is.
    const problem = durable ? findUnserializable(value, parameter) : findNonFinite(value, parameter, new Set());
    if (problem === undefined) continue;
    throw new ParameterError(
      'PARAMETER_VALUE',
      `Parameter '${parameter}' cannot be stored with the run: ${problem.path} ${problem.reason}.`,
      { parameter, declared: [], actual: problem.reason },
    );
  }
};

/** Run ids: 21 alphanumeric characters (≈125 bits), see {@link newId}. */
export const newRunId = (): string => newId(21);
