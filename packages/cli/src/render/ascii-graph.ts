import type { PipelineDefinition, StepNode } from '@pipewright/core';
import { formatDuration, formatValue } from './format';

/**
 * The DAG as text for a terminal: steps in layers by depth (a step sits one layer below its
 * deepest parent), each with its parents and what is notable about it.
 *
 * ```
 * ml@1.0.0 · 3 steps · params rows=1000, lr=0.01
 * layer 0
 *   └─ prepare
 * layer 1
 *   └─ train     ◀ prepare   template train-model
 * ```
 */
export const toAscii = (definition: PipelineDefinition): string => {
  const { graph } = definition;
  const depth = new Map<string, number>();
  for (const name of graph.order) {
    depth.set(name, Math.max(-1, ...graph.parentsOf(name).map((parent) => depth.get(parent) ?? 0)) + 1);
  }
  const layers: string[][] = [];
  for (const name of graph.order) (layers[depth.get(name) ?? 0] ??= []).push(name);

  const params = Object.entries(definition.params).map(([key, value]) => `${key}=${formatValue(value, 40)}`);
  const lines = [
    `${definition.name}@${definition.version} · ${graph.size} step${graph.size === 1 ? '' : 's'}` +
      (params.length > 0 ? ` · params ${params.join(', ')}` : ''),
  ];
  const nameWidth = Math.max(0, ...graph.order.map((name) => name.length));
  const parentsWidth = Math.max(0, ...graph.order.map((name) => parentList(graph.parentsOf(name)).length));
  layers.forEach((names, layer) => {
    lines.push(`layer ${layer}`);
    names.forEach((name, index) => {
      const node = graph.get(name) as StepNode;
      const branch = index === names.length - 1 ? '└─' : '├─';
      const parents = parentList(node.parents).padEnd(parentsWidth);
      const notes = notesOf(node).join(' · ');
      lines.push(`  ${branch} ${name.padEnd(nameWidth)}  ${parents}  ${notes}`.trimEnd());
    });
  });
  return `${lines.join('\n')}\n`;
};

const parentList = (parents: readonly string[]): string => (parents.length === 0 ? '' : `◀ ${parents.join(', ')}`);

/** What is worth knowing about a step at a glance. */
const notesOf = (node: StepNode): string[] => {
  const notes: string[] = [];
  const { options } = node;
  if (node.body.kind === 'template') notes.push(`${node.body.template.kind} ${node.body.template.name}`);
  if (options.queue !== undefined && options.queue !== 'default') notes.push(`queue ${options.queue}`);
  if (options.retry !== undefined) notes.push(`retry ${typeof options.retry === 'number' ? options.retry : typeof options.retry === 'function' ? 'custom' : options.retry.retries}`);
  if (options.timeoutMs !== undefined) notes.push(`timeout ${formatDuration(options.timeoutMs)}`);
  if (options.cache !== undefined && options.cache !== false) notes.push('cached');
  if (options.continueOnFail === true) notes.push('continue on fail');
  return notes;
};
