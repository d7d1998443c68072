import { createHash } from 'node:crypto';
import type { StepNode } from '../graph/step-node';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { classModuleHash } from '../metadata/source-module';

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The code behind a step. A method step or a `@Task` template stands for the whole module that
 * declared its class (a hash of its source, see `metadata/source-module`): helpers the step
 * calls in that module count, and the same source is the same code under tsc, ts-node, tsx or
 * the CLI. A function step (`addFunctionStep`) is its function's own text; a class whose module
 * cannot be read falls back to its method's text. `cacheVersion` counts for all of them.
 */
export const codeOf = (node: StepNode, definition: PipelineDefinition): string => {
  const body = node.body;
  const version = node.options.cacheVersion === undefined ? '' : `\ncacheVersion:${String(node.options.cacheVersion)}`;
  switch (body.kind) {
    case 'method': {
      const module = classModuleHash(definition.target);
      if (module !== undefined) return `module:${module}:method:${body.method}${version}`;
      return `${String((definition.target?.prototype as Record<string, unknown> | undefined)?.[body.method])}${version}`;
    }
    case 'function':
      return `${String(body.fn)}${version}`;
    case 'template': {
      const { template } = body;
      const module = classModuleHash(template.target);
      const code = module !== undefined ? `module:${module}` : String((template.target.prototype as { execute?: unknown }).execute ?? template.target);
      return `${template.kind}:${template.name}@${template.version}:${code}:${JSON.stringify(template.defaults)}${version}`;
    }
  }
};

/** A hash of a step's code, as used by the cache key and `resume()`'s change detection. */
export const codeHash = (node: StepNode, definition: PipelineDefinition): string => hash(codeOf(node, definition));

const fingerprints = new WeakMap<PipelineDefinition, Readonly<Record<string, string>>>();

/**
 * Per step, a hash of its code, template, parents and static params: what `resume()` compares
 * to tell whether the pipeline changed since a run began.
 */
export const fingerprintOf = (definition: PipelineDefinition): Readonly<Record<string, string>> => {
  const memo = fingerprints.get(definition);
  if (memo) return memo;
  const fingerprint: Record<string, string> = {};
  for (const node of definition.graph) {
    const params = typeof node.options.params === 'function' ? String(node.options.params) : JSON.stringify(node.options.params ?? {});
    fingerprint[node.name] = hash(`${codeOf(node, definition)}\n${node.parents.join(',')}\n${params}`);
  }
  fingerprints.set(definition, fingerprint);
  return fingerprint;
};
