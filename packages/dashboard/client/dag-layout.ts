import { Graph, layout } from '@dagrejs/dagre';
import type { GraphNode } from '../src/view-model';

/** Size of a node box, in CSS pixels. */
export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 46;

/** A placed node: its top-left corner. */
export interface PlacedNode {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
}

/** A placed nested pipeline: the box around its steps. */
export interface PlacedGroup {
  readonly key: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An edge as a polyline; `kind` says how to draw it. */
export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'parent' | 'spawn' | 'nested';
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

/** The whole drawing. */
export interface Layout {
  readonly nodes: readonly PlacedNode[];
  readonly groups: readonly PlacedGroup[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

const CLUSTER = 'cluster:';

/**
 * Lays the DAG out left to right with dagre. Steps of a nested pipeline sit in a box of their
 * own (a dagre cluster), linked from the nested step by dashed edges to the steps that start
 * it; spawned steps hang from their spawner.
 */
export const layoutDag = (nodes: readonly GraphNode[]): Layout => {
  const graph = new Graph({ compound: true, multigraph: false });
  const nested = nodes.some((node) => node.group !== undefined);
  // Room above each nested-pipeline box for its title.
  graph.setGraph({ rankdir: 'LR', nodesep: nested ? 40 : 14, ranksep: 56, edgesep: 8, marginx: 24, marginy: 44 });
  graph.setDefaultEdgeLabel(() => ({}));
  const keys = new Set(nodes.map((node) => node.key));
  const groups = new Set<string>();
  for (const node of nodes) {
    graph.setNode(node.key, { width: NODE_WIDTH, height: NODE_HEIGHT });
    if (node.group !== undefined && keys.has(node.group)) groups.add(node.group);
  }
  for (const group of groups) {
    graph.setNode(CLUSTER + group, {});
    const outer = nodes.find((node) => node.key === group)?.group;
    if (outer !== undefined && groups.has(outer)) graph.setParent(CLUSTER + group, CLUSTER + outer);
  }
  const kinds = new Map<string, PlacedEdge['kind']>();
  const link = (from: string, to: string, kind: PlacedEdge['kind']): void => {
    if (!keys.has(from) || !keys.has(to) || from === to) return;
    graph.setEdge(from, to);
    kinds.set(`${from}\u0000${to}`, kind);
  };
  for (const node of nodes) {
    if (node.group !== undefined && groups.has(node.group)) graph.setParent(node.key, CLUSTER + node.group);
    for (const parent of node.parents) link(parent, node.key, parent === node.spawnedBy ? 'spawn' : 'parent');
    if (node.group !== undefined && node.parents.length === 0) link(node.group, node.key, 'nested');
  }
  layout(graph);
  const label = graph.graph() as { width?: number; height?: number };
  return {
    nodes: nodes.map((node) => {
      const box = graph.node(node.key) as { x: number; y: number };
      return { node, x: box.x - NODE_WIDTH / 2, y: box.y - NODE_HEIGHT / 2 };
    }),
    groups: [...groups].map((key) => {
      const box = graph.node(CLUSTER + key) as { x: number; y: number; width: number; height: number };
      return { key, x: box.x - box.width / 2, y: box.y - box.height / 2 - 24, width: box.width, height: box.height + 24 };
    }),
    edges: graph.edges().map((edge) => ({
      from: edge.v,
      to: edge.w,
      kind: kinds.get(`${edge.v}\u0000${edge.w}`) ?? 'parent',
      points: (graph.edge(edge) as { points?: Array<{ x: number; y: number }> }).points ?? [],
    })),
    width: label.width ?? 0,
    height: label.height ?? 0,
  };
};
