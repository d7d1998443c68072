import { DEFAULT_VERSION } from '../decorators/constants';
import type { Constructor, Params, StepOptions } from '../model/options';
import { PipelineDefinitionError } from '../errors/errors';
import { collectReferences, isPlainObject, ReferenceSyntaxError, referencedStep } from '../graph/reference';
import type { Reference } from '../graph/reference';
import type { StepBody, StepNode, TemplateRef } from '../graph/step-node';
import { readPipelineOptions, readTaskOptions } from './read-metadata';

/** What the scanner or builder knows about a step before validation. */
export interface StepDraft {
  readonly name: string;
  /** `undefined` for a template step: the body comes from `options.template`. */
  readonly body: StepBody | undefined;
  readonly options: StepOptions;
}

/** The pipeline-level facts a step is validated against. */
export interface PipelineScope {
  readonly pipeline: string;
  readonly params: Readonly<Params>;
}

const fail = (code: PipelineDefinitionError['code'], message: string, scope: PipelineScope, step: string, missing?: string): never => {
  throw new PipelineDefinitionError(code, message, { pipeline: scope.pipeline, step, ...(missing === undefined ? {} : { missing }) });
};

/**
 * Resolves a class used as a template: a `@Task` with an `execute` method, or a `@Pipeline`.
 * Throws `INVALID_TEMPLATE` naming the step otherwise.
 */
export const templateRef = (target: unknown, step: string, scope: PipelineScope): TemplateRef => {
  const task = readTaskOptions(target);
  if (task) {
    const execute = (target as Constructor).prototype?.execute as unknown;
    if (typeof execute !== 'function') {
      fail('INVALID_TEMPLATE', `Template '${task.name}' of step '${step}' has no execute(ctx) method.`, scope, step);
    }
    return { kind: 'task', name: task.name, version: task.version ?? DEFAULT_VERSION, target: target as Constructor, defaults: task.params ?? {} };
  }
  const pipeline = readPipelineOptions(target);
  if (pipeline) {
    return {
      kind: 'pipeline',
      name: pipeline.name,
      version: pipeline.version ?? DEFAULT_VERSION,
      target: target as Constructor,
      defaults: pipeline.params ?? {},
    };
  }
  const what = typeof target === 'function' ? `class ${target.name || '(anonymous)'}` : String(target);
  return fail('INVALID_TEMPLATE', `Step '${step}' uses ${what} as a template, but it is neither a @Task nor a @Pipeline.`, scope, step);
};

const checkNumber = (value: unknown, option: string, step: string, scope: PipelineScope, min: number): void => {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < min)) {
    fail('INVALID_OPTION', `Step '${step}': ${option} must be a number ≥ ${min}, got ${String(value)}.`, scope, step);
  }
};

const validateOptions = (draft: StepDraft, scope: PipelineScope): void => {
  const { name, options } = draft;
  if (name.length === 0 || name.includes('.')) {
    fail('INVALID_OPTION', `Step name '${name}' is invalid: step names are non-empty and contain no '.'.`, scope, name);
  }
  checkNumber(options.timeoutMs, 'timeoutMs', name, scope, 1);
  const retry = options.retry;
  if (typeof retry === 'number') checkNumber(retry, 'retry', name, scope, 0);
  else if (typeof retry === 'object' && retry !== null) checkNumber(retry.retries, 'retry.retries', name, scope, 0);
  else if (retry !== undefined && typeof retry !== 'function') {
    fail('INVALID_OPTION', `Step '${name}': retry must be a number, retry options or a predicate.`, scope, name);
  }
  if (options.parents !== undefined && !Array.isArray(options.parents)) {
    fail('INVALID_OPTION', `Step '${name}': parents must be an array of step names.`, scope, name);
  }
  const version = options.cacheVersion;
  if (version !== undefined && typeof version !== 'string' && (typeof version !== 'number' || !Number.isFinite(version))) {
    fail('INVALID_OPTION', `Step '${name}': cacheVersion must be a string or a number, got ${String(version)}.`, scope, name);
  }
};

/** Builds one graph node: its body, declared parameters and parents implied by references. */
export const createStepNode = (draft: StepDraft, scope: PipelineScope): StepNode => {
  validateOptions(draft, scope);
  const { name, options } = draft;
  let body = draft.body;
  if (body === undefined) {
    if (options.template === undefined) {
      fail('INVALID_TEMPLATE', `Step '${name}' has no body and no template: give it a method body or @Step({ template }).`, scope, name);
    }
    body = { kind: 'template', template: templateRef(options.template, name, scope) };
  } else if (options.template !== undefined) {
    fail('INVALID_TEMPLATE', `Step '${name}' has both a body and a template; a template step is a property without a body.`, scope, name);
  }

  const stepParams = options.params;
  let declaredParams: Params | undefined;
  const references: Reference[] = [];
  if (typeof stepParams === 'function') {
    declaredParams = undefined;
  } else {
    if (stepParams !== undefined && !isPlainObject(stepParams)) {
      fail('INVALID_OPTION', `Step '${name}': params must be an object or a function of the context.`, scope, name);
    }
    const defaults = body.kind === 'template' ? body.template.defaults : {};
    declaredParams = { ...defaults, ...stepParams };
    try {
      collectReferences(stepParams, references);
    } catch (error) {
      if (error instanceof ReferenceSyntaxError) fail('BAD_REFERENCE', `Step '${name}': ${error.message}.`, scope, name);
      throw error;
    }
  }

  const parents = [...(options.parents ?? [])];
  for (const reference of references) {
    const step = referencedStep(reference);
    if (reference.kind === 'pipeline' && !Object.prototype.hasOwnProperty.call(scope.params, reference.param)) {
      fail(
        'BAD_REFERENCE',
        `Step '${name}' references \${${reference.source}}, but pipeline '${scope.pipeline}' has no parameter '${reference.param}'. ` +
          `Declared: ${Object.keys(scope.params).join(', ') || '(none)'}.`,
        scope,
        name,
        reference.param,
      );
    }
    if (step === name) fail('BAD_REFERENCE', `Step '${name}' references itself in \${${reference.source}}.`, scope, name, step);
    if (step !== undefined && !parents.includes(step)) parents.push(step);
  }
  return { name, parents: [...new Set(parents)], body, options, declaredParams };
};

/** After all nodes exist: a reference to a step that is not in the pipeline is `BAD_REFERENCE`. */
export const checkReferencedSteps = (nodes: readonly StepNode[], scope: PipelineScope): void => {
  const names = new Set(nodes.map((node) => node.name));
  for (const node of nodes) {
    const stepParams = node.options.params;
    if (typeof stepParams === 'function' || stepParams === undefined) continue;
    for (const reference of collectReferences(stepParams)) {
      const step = referencedStep(reference);
      if (step !== undefined && !names.has(step)) {
        fail(
          'BAD_REFERENCE',
          `Step '${node.name}' references \${${reference.source}}, but there is no step '${step}'. Steps: ${[...names].join(', ')}.`,
          scope,
          node.name,
          step,
        );
      }
    }
  }
};
