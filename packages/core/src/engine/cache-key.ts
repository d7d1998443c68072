import { createHash } from 'node:crypto';
import type { StepNode } from '../graph/step-node';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { codeHash } from './fingerprint';

/** JSON with sorted keys, so equal values hash equally; values JSON cannot hold get a stable tag. */
export const stableStringify = (value: unknown): string => {
  const seen = new Set<object>();
  const walk = (current: unknown): unknown => {
    if (typeof current === 'bigint') return `bigint:${current.toString()}`;
    if (typeof current === 'function' || typeof current === 'symbol') return `[${typeof current}]`;
    if (typeof current !== 'object' || current === null) return current;
    if (seen.has(current)) return '[Circular]';
    seen.add(current);
    let result: unknown;
    if (Array.isArray(current)) result = current.map(walk);
    else if (ArrayBuffer.isView(current)) result = `bytes:${createHash('sha256').update(current as Uint8Array).digest('hex')}`;
    else {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(current).sort()) sorted[key] = walk((current as Record<string, unknown>)[key]);
      result = sorted;
    }
    seen.delete(current);
    return result;
  };
  return JSON.stringify(walk(value)) ?? 'undefined';
};

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The default cache key of a step: pipeline, step, template identity, a hash of the step's
 * code, its resolved parameters, and hashes of the parent outputs it receives.
 */
export const defaultCacheKey = (
  definition: PipelineDefinition,
  node: StepNode,
  params: unknown,
  parents: Readonly<Record<string, unknown>>,
): string => {
  const template = node.body.kind === 'template' ? `${node.body.template.kind}:${node.body.template.name}@${node.body.template.version}` : node.body.kind;
  const inputs = Object.keys(parents)
    .sort()
    .map((name) => `${name}=${sha(stableStringify(parents[name]))}`)
    .join(',');
  return sha([definition.name, node.name, template, codeHash(node, definition), stableStringify(params), inputs].join('\n'));
};

/** Namespaces a user-supplied key by pipeline and step, so two steps cannot collide. */
export const customCacheKey = (definition: PipelineDefinition, node: StepNode, key: string): string =>
  sha(`${definition.name}\n${node.name}\ncustom:${key}`);
