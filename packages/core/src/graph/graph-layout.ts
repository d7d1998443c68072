import type { PipelineGraph } from './pipeline-graph';
import type { StepNode } from './step-node';

/**
 * A graph by position: its steps in topological order, and each step's parents and children as
 * positions in that order. What a run needs to set up its states in one pass, with no lookup
 * by name and no per-run copy of the edges (a 50-wide lattice of 100 000 steps has 5 million).
 */
export interface GraphLayout {
  readonly nodes: readonly StepNode[];
  /** Each step's position in `nodes`, by name. */
  readonly position: ReadonlyMap<string, number>;
  readonly parents: readonly (readonly number[])[];
  readonly children: readonly (readonly number[])[];
}

const NONE: readonly number[] = Object.freeze([]);

// Graphs are immutable: each is laid out once, however many runs it drives.
const layouts = new WeakMap<PipelineGraph, GraphLayout>();

/** The graph's layout, computed on first use. */
export const layoutOf = (graph: PipelineGraph): GraphLayout => {
  const known = layouts.get(graph);
  if (known !== undefined) return known;
  const order = graph.order;
  const position = new Map<string, number>();
  for (let index = 0; index < order.length; index++) position.set(order[index] as string, index);
  const at = (name: string): number => position.get(name) as number;
  const nodes = order.map((name) => graph.get(name) as StepNode);
  const parents = nodes.map((node) => (node.parents.length === 0 ? NONE : node.parents.map(at)));
  const children = order.map((name) => {
    const own = graph.childrenOf(name);
    return own.length === 0 ? NONE : own.map(at);
  });
  const layout: GraphLayout = { nodes, position, parents, children };
  layouts.set(graph, layout);
  return layout;
};
