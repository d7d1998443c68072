import type { StepStatus } from '../model/results';
import type { PipelineGraph } from './pipeline-graph';
import { STATUS_COLOURS, statusIn } from './status-colours';
import type { GraphStatuses } from './status-colours';

/** Mermaid labels are quoted; these characters would end or confuse them, so they become entity codes. */
const escapeLabel = (name: string): string =>
  name
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[\r\n]+/g, ' ');

/**
 * The graph as a Mermaid flowchart (top to bottom), for READMEs, issues and dashboards.
 *
 * Nodes get ids `s0`, `s1`, … in topological order and the step name as a quoted label, so any
 * step name is safe. Edges to spawned steps are dotted. With `statuses` (from `stepStatuses()`,
 * or a `RunResult`'s `steps`), each status present gets a `classDef` and its nodes that class.
 *
 * ```ts
 * console.log(toMermaid(run.graph, result.steps));
 * ```
 */
export const toMermaid = (graph: PipelineGraph, statuses?: GraphStatuses): string => {
  const ids = new Map<string, string>();
  const lines = ['flowchart TD'];
  for (const node of graph) {
    const id = `s${ids.size}`;
    ids.set(node.name, id);
    lines.push(`  ${id}["${escapeLabel(node.name)}"]`);
  }
  for (const node of graph) {
    const arrow = node.spawnedBy === undefined ? '-->' : '-.->';
    for (const parent of node.parents) lines.push(`  ${ids.get(parent) ?? ''} ${arrow} ${ids.get(node.name) ?? ''}`);
  }
  const byStatus = new Map<StepStatus, string[]>();
  for (const node of graph) {
    const status = statusIn(statuses, node.name);
    if (status === undefined) continue;
    const list = byStatus.get(status) ?? [];
    list.push(ids.get(node.name) ?? '');
    byStatus.set(status, list);
  }
  for (const status of Object.keys(STATUS_COLOURS) as StepStatus[]) {
    const nodes = byStatus.get(status);
    if (nodes === undefined) continue;
    const { fill, stroke } = STATUS_COLOURS[status];
    lines.push(`  classDef ${status} fill:${fill},stroke:${stroke}`);
    lines.push(`  class ${nodes.join(',')} ${status}`);
  }
  return `${lines.join('\n')}\n`;
};
