import { registry, scanPipeline } from '@pipewright/core';
import type { PipelineGraph, StepNode } from '@pipewright/core';
import type { GraphNode } from '../view-model';

/** Nested pipelines deeper than this are drawn as one node: a guard against self-nesting. */
const MAX_DEPTH = 8;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The run input addressed to one step: `{ 'train.lr': 0.1 }` → `{ lr: 0.1 }` for `train`. */
const overridesFor = (input: Readonly<Record<string, unknown>>, step: string): Record<string, unknown> => {
  const prefix = `${step}.`;
  const found: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) if (name.startsWith(prefix)) found[name.slice(prefix.length)] = value;
  return found;
};

/**
 * What a step will be given, as far as the definition tells: template defaults, then the step's
 * params, then the run's overrides. `undefined` when the params are a function of the context.
 */
const declaredParams = (node: StepNode, input: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined => {
  const stepParams = node.options.params;
  if (typeof stepParams === 'function') return undefined;
  const defaults = node.body.kind === 'template' ? node.body.template.defaults : {};
  return { ...defaults, ...(isPlainObject(stepParams) ? stepParams : {}), ...overridesFor(input, node.name) };
};

const expand = (
  graph: PipelineGraph,
  prefix: readonly string[],
  input: Readonly<Record<string, unknown>>,
  into: GraphNode[],
): void => {
  const keyOf = (name: string): string => [...prefix, name].join('/');
  const group = prefix.length > 0 ? prefix.join('/') : undefined;
  for (const name of graph.order) {
    const node = graph.get(name) as StepNode;
    const template = node.body.kind === 'template' ? node.body.template : undefined;
    const nested = template?.kind === 'pipeline' && prefix.length < MAX_DEPTH;
    const params = declaredParams(node, prefix.length === 0 ? input : {});
    const queue = node.options.queue;
    into.push({
      key: keyOf(name),
      name,
      path: [...prefix, name],
      kind: nested ? 'pipeline' : node.spawnedBy !== undefined ? 'spawned' : 'step',
      parents: node.parents.map(keyOf),
      ...(group === undefined ? {} : { group }),
      ...(params === undefined ? {} : { params }),
      ...(queue === undefined || queue === 'default' ? {} : { queue }),
    });
    if (nested && template !== undefined) expand(scanPipeline(template.target).graph, [...prefix, name], {}, into);
  }
};

/**
 * The DAG of a stored run, nested pipelines expanded (their steps grouped under the nested
 * step's key), from the pipeline class registered under the run's name and version.
 * `undefined` when that class is not loaded in this process: the store keeps results, not code.
 */
export const runGraph = (
  pipeline: string,
  version: string,
  input: Readonly<Record<string, unknown>>,
): GraphNode[] | undefined => {
  const target = registry.find('pipeline', pipeline, version);
  if (target === undefined) return undefined;
  const nodes: GraphNode[] = [];
  expand(scanPipeline(target).graph, [], input, nodes);
  return nodes;
};
