import type { PipelineGraph } from './pipeline-graph';
import { STATUS_COLOURS, statusIn } from './status-colours';
import type { GraphStatuses } from './status-colours';

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`. */
const quote = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;

/**
 * The graph in Graphviz DOT (`dot -Tsvg`), top to bottom.
 *
 * Every name is a quoted DOT string, so any step name is safe. Edges to spawned steps are dashed.
 * With `statuses` (from `stepStatuses()`, or a `RunResult`'s `steps`), a node with a status is
 * filled with its status colour and carries the status in its tooltip.
 *
 * ```ts
 * writeFileSync('run.dot', toDot(run.graph, result.steps));
 * ```
 */
export const toDot = (graph: PipelineGraph, statuses?: GraphStatuses): string => {
  const lines = [`digraph ${quote(graph.pipeline)} {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#ffffff"];'];
  for (const node of graph) {
    const status = statusIn(statuses, node.name);
    if (status === undefined) {
      lines.push(`  ${quote(node.name)};`);
    } else {
      const { fill, stroke } = STATUS_COLOURS[status];
      lines.push(`  ${quote(node.name)} [fillcolor="${fill}", color="${stroke}", tooltip="${status}"];`);
    }
  }
  for (const node of graph) {
    const style = node.spawnedBy === undefined ? '' : ' [style=dashed]';
    for (const parent of node.parents) lines.push(`  ${quote(parent)} -> ${quote(node.name)}${style};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
};
