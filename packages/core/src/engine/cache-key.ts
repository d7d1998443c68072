import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { StepNode } from '../graph/step-node';
import type { PipelineDefinition } from '../metadata/pipeline-definition';
import { codeHash } from './fingerprint';

const canonical = configure({ deterministic: true, circularValue: '[Circular]', bigint: false });

// Applied before JSON's own rules, so that values JSON would merge or drop keep a distinct tag.
const tag = (_key: string, value: unknown): unknown => {
  if (typeof value === 'bigint') return `bigint:${value.toString()}`;
  if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
  if (ArrayBuffer.isView(value)) return `bytes:${createHash('sha256').update(value as Uint8Array).digest('hex')}`;
  return value;
};

/**
 * JSON with sorted keys, so equal values hash equally (safe-stable-stringify, which also
 * survives cycles); BigInts, byte arrays and functions get a stable tag instead of being merged
 * or dropped.
 */
export const stableStringify = (value: unknown): string => canonical(value, tag) ?? 'undefined';

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
