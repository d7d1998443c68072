import { PipelineDefinitionError } from '../errors/errors';
import type { StepNode } from './step-node';

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * The storage a graph and the graphs grown from it by `withNode` share: append-only, so a
 * spawned step costs O(its parents) instead of a copy of every map. Each graph sees only the
 * first `size` steps of it.
 */
interface GraphStorage {
  readonly nodes: Map<string, StepNode>;
  /** Position of each step in `order`: a graph sees a step only if it is below its size. */
  readonly position: Map<string, number>;
  readonly children: Map<string, string[]>;
  readonly order: string[];
}

/**
 * An immutable DAG of steps: nodes, edges, a topological order, ancestors and descendants.
 * Built once and validated; `withNode` returns a new graph (how spawned steps join a run)
 * and leaves this one as it was.
 */
export class PipelineGraph {
  private constructor(
    /** Name of the pipeline, for error messages. */
    readonly pipeline: string,
    private readonly storage: GraphStorage,
    /** How many steps of the storage this graph holds. */
    readonly size: number,
  ) {}

  /** Step names in a topological order (parents before children; declaration order among peers). */
  get order(): readonly string[] {
    const { order } = this.storage;
    return order.length === this.size ? order : order.slice(0, this.size);
  }

  /**
   * Builds and validates a graph. Throws `PipelineDefinitionError` with `DUPLICATE_STEP`,
   * `UNKNOWN_PARENT` or `CYCLE` (the message shows the cycle's path and nothing else).
   */
  static from(pipeline: string, steps: Iterable<StepNode>): PipelineGraph {
    const nodes = new Map<string, StepNode>();
    for (const node of steps) {
      if (nodes.has(node.name)) {
        throw new PipelineDefinitionError('DUPLICATE_STEP', `Pipeline '${pipeline}' declares step '${node.name}' twice.`, {
          pipeline,
          step: node.name,
        });
      }
      nodes.set(node.name, node);
    }
    const children = new Map<string, string[]>();
    for (const node of nodes.values()) {
      for (const parent of node.parents) {
        if (!nodes.has(parent)) {
          throw new PipelineDefinitionError(
            'UNKNOWN_PARENT',
            `Step '${node.name}' of pipeline '${pipeline}' names parent '${parent}', which is not a step. ` +
              `Steps: ${[...nodes.keys()].join(', ')}.`,
            { pipeline, step: node.name, missing: parent },
          );
        }
        const list = children.get(parent);
        if (list) list.push(node.name);
        else children.set(parent, [node.name]);
      }
    }
    const order = topologicalOrder(pipeline, nodes, children);
    const position = new Map(order.map((name, index) => [name, index]));
    return new PipelineGraph(pipeline, { nodes, position, children, order }, order.length);
  }

  /** The step named, or `undefined`. */
  get(name: string): StepNode | undefined {
    return this.has(name) ? this.storage.nodes.get(name) : undefined;
  }

  has(name: string): boolean {
    const at = this.storage.position.get(name);
    return at !== undefined && at < this.size;
  }

  /** All steps in topological order. */
  *[Symbol.iterator](): IterableIterator<StepNode> {
    const { order, nodes } = this.storage;
    for (let index = 0; index < this.size; index++) yield nodes.get(order[index] as string) as StepNode;
  }

  parentsOf(name: string): readonly string[] {
    return this.get(name)?.parents ?? EMPTY;
  }

  childrenOf(name: string): readonly string[] {
    const children = this.storage.children.get(name);
    if (children === undefined) return EMPTY;
    // The newest graph of its line sees all of them; an older one cuts off the tail later graphs appended.
    if (this.size === this.storage.order.length) return children;
    const last = children[children.length - 1] as string;
    if ((this.storage.position.get(last) as number) < this.size) return children;
    return children.filter((child) => (this.storage.position.get(child) as number) < this.size);
  }

  /** Steps without parents. */
  roots(): string[] {
    return this.order.filter((name) => this.parentsOf(name).length === 0);
  }

  /** Every step `name` depends on, directly or not. */
  ancestors(name: string): Set<string> {
    return this.walk(name, (step) => this.parentsOf(step));
  }

  /** Every step that depends on `name`, directly or not. */
  descendants(name: string): Set<string> {
    return this.walk(name, (step) => this.childrenOf(step));
  }

  /** Every edge as `[parent, child]`. */
  edges(): Array<[string, string]> {
    const edges: Array<[string, string]> = [];
    for (const name of this.order) for (const parent of this.parentsOf(name)) edges.push([parent, name]);
    return edges;
  }

  /**
   * A new graph with one more step whose parents are already in this graph (no cycle can form).
   * O(its parents) when this is the newest graph of its line; a copy when an older one branches.
   */
  withNode(node: StepNode): PipelineGraph {
    if (this.has(node.name)) {
      throw new PipelineDefinitionError('DUPLICATE_STEP', `Pipeline '${this.pipeline}' already has a step '${node.name}'.`, {
        pipeline: this.pipeline,
        step: node.name,
      });
    }
    for (const parent of node.parents) {
      if (!this.has(parent)) {
        throw new PipelineDefinitionError('UNKNOWN_PARENT', `Step '${node.name}' names parent '${parent}', which is not a step.`, {
          pipeline: this.pipeline,
          step: node.name,
          missing: parent,
        });
      }
    }
    const storage = this.size === this.storage.order.length ? this.storage : this.copyStorage();
    storage.nodes.set(node.name, node);
    storage.position.set(node.name, storage.order.length);
    storage.order.push(node.name);
    for (const parent of node.parents) {
      const list = storage.children.get(parent);
      if (list) list.push(node.name);
      else storage.children.set(parent, [node.name]);
    }
    return new PipelineGraph(this.pipeline, storage, this.size + 1);
  }

  /** This graph's own steps in fresh storage, for growing a graph that is not the newest of its line. */
  private copyStorage(): GraphStorage {
    const order = [...this.order];
    const nodes = new Map(order.map((name) => [name, this.storage.nodes.get(name) as StepNode]));
    const position = new Map(order.map((name, index) => [name, index]));
    const children = new Map<string, string[]>();
    for (const name of order) {
      const own = this.childrenOf(name);
      if (own.length > 0) children.set(name, [...own]);
    }
    return { nodes, position, children, order };
  }

  private walk(start: string, next: (name: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...next(start)];
    while (stack.length > 0) {
      const name = stack.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const other of next(name)) if (!seen.has(other)) stack.push(other);
    }
    return seen;
  }
}

/** Kahn's algorithm; on a cycle, reports one cycle's path. Iterative: safe for very long chains. */
const topologicalOrder = (
  pipeline: string,
  nodes: ReadonlyMap<string, StepNode>,
  children: ReadonlyMap<string, readonly string[]>,
): string[] => {
  const remaining = new Map<string, number>();
  const queue: string[] = [];
  for (const node of nodes.values()) {
    remaining.set(node.name, node.parents.length);
    if (node.parents.length === 0) queue.push(node.name);
  }
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    order.push(name);
    for (const child of children.get(name) ?? EMPTY) {
      const left = (remaining.get(child) as number) - 1;
      remaining.set(child, left);
      if (left === 0) queue.push(child);
    }
  }
  if (order.length === nodes.size) return order;

  // Every unordered step has an unordered parent; walking parents must revisit a step.
  const unordered = (name: string): boolean => (remaining.get(name) as number) > 0;
  let current = [...nodes.keys()].find(unordered) as string;
  const visitedAt = new Map<string, number>();
  const trail: string[] = [];
  while (!visitedAt.has(current)) {
    visitedAt.set(current, trail.length);
    trail.push(current);
    current = (nodes.get(current) as StepNode).parents.find(unordered) as string;
  }
  const loop = trail.slice(visitedAt.get(current)).reverse();
  // Start at the cycle's first-declared step, so the message does not depend on where the walk began.
  const members = new Set(loop);
  const first = loop.indexOf([...nodes.keys()].find((name) => members.has(name)) as string);
  const cycle = [...loop.slice(first), ...loop.slice(0, first)];
  cycle.push(cycle[0] as string);
  throw new PipelineDefinitionError('CYCLE', `Pipeline '${pipeline}' has a cycle: ${cycle.join(' → ')}.`, {
    pipeline,
    step: cycle[0],
    cycle,
  });
};
