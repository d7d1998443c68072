import { createHash } from 'node:crypto';
import type { StepNode } from '../graph/step-node';
import type { PipelineDefinition } from '../metadata/pipeline-definition';

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The code behind a step: its method or function source, or its template's `execute` and defaults. */
export const codeOf = (node: StepNode, definition: PipelineDefinition): string => {
  const body = node.body;
  switch (body.kind) {
    case 'method':
      return String((definition.target?.prototype as Record<string, unknown> | undefined)?.[body.method]);
    case 'function':
      return String(body.fn);
    case 'template': {
      const { template } = body;
      const execute = (template.target.prototype as { execute?: unknown }).execute;
      return `${template.kind}:${template.name}@${template.version}:${String(execute ?? template.target)}:${JSON.stringify(template.defaults)}`;
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
