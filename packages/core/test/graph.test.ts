import { PipelineDefinitionError, PipelineGraph } from '@pipewright/core';
import type { StepNode } from '@pipewright/core';

const node = (name: string, parents: readonly string[] = []): StepNode => ({
  name,
  parents,
  body: { kind: 'function', fn: () => name },
  options: {},
  declaredParams: {},
});

/** Graph from `name: parent, parent` lines, in declaration order. */
const graphOf = (...specs: string[]): PipelineGraph =>
  PipelineGraph.from(
    'g',
    specs.map((spec) => {
      const [name, parents = ''] = spec.split(':').map((part) => part.trim());
      return node(name as string, parents.split(',').map((parent) => parent.trim()).filter(Boolean));
    }),
  );

const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe('PipelineGraph', () => {
  //     a
  //    / \
  //   b   c
  //    \ /
  //     d     e (independent)
  const diamond = graphOf('a', 'b: a', 'c: a', 'd: b, c', 'e');

  describe('topological order', () => {
    it('puts every parent before its children', () => {
      const position = new Map(diamond.order.map((name, index) => [name, index]));
      for (const [parent, child] of diamond.edges()) {
        expect(position.get(parent)).toBeLessThan(position.get(child) as number);
      }
      expect(sorted(diamond.order)).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('keeps declaration order among peers', () => {
      expect(graphOf('z', 'y', 'x').order).toEqual(['z', 'y', 'x']);
      expect(graphOf('root', 'second: root', 'first: root').order).toEqual(['root', 'second', 'first']);
    });

    it('moves a step declared before its parent after it', () => {
      expect(graphOf('child: parent', 'parent').order).toEqual(['parent', 'child']);
    });

    it('iterates nodes in topological order', () => {
      expect([...graphOf('child: parent', 'parent')].map((step) => step.name)).toEqual(['parent', 'child']);
    });
  });

  describe('navigation', () => {
    it('answers parents, children and roots', () => {
      expect(diamond.parentsOf('d')).toEqual(['b', 'c']);
      expect(diamond.parentsOf('a')).toEqual([]);
      expect(diamond.childrenOf('a')).toEqual(['b', 'c']);
      expect(diamond.childrenOf('d')).toEqual([]);
      expect(diamond.roots()).toEqual(['a', 'e']);
    });

    it('answers ancestors and descendants, transitively and without the step itself', () => {
      expect(sorted(diamond.ancestors('d'))).toEqual(['a', 'b', 'c']);
      expect(sorted(diamond.ancestors('a'))).toEqual([]);
      expect(sorted(diamond.descendants('a'))).toEqual(['b', 'c', 'd']);
      expect(sorted(diamond.descendants('e'))).toEqual([]);
    });

    it('lists every edge once as [parent, child]', () => {
      expect(diamond.edges().map(([parent, child]) => `${parent}>${child}`).sort()).toEqual(['a>b', 'a>c', 'b>d', 'c>d']);
    });

    it('answers size, has and get', () => {
      expect(diamond.size).toBe(5);
      expect(diamond.has('c')).toBe(true);
      expect(diamond.has('zz')).toBe(false);
      expect(diamond.get('d')?.parents).toEqual(['b', 'c']);
      expect(diamond.get('zz')).toBeUndefined();
      expect(diamond.parentsOf('zz')).toEqual([]);
      expect(diamond.childrenOf('zz')).toEqual([]);
    });
  });

  describe('validation', () => {
    it('refuses a duplicate step name', () => {
      expect(() => graphOf('a', 'a')).toThrow(expect.objectContaining({ code: 'DUPLICATE_STEP', step: 'a' }));
    });

    it('refuses an unknown parent', () => {
      expect(() => graphOf('a: ghost')).toThrow(expect.objectContaining({ code: 'UNKNOWN_PARENT', step: 'a', missing: 'ghost' }));
    });

    it('refuses a cycle with its path', () => {
      let thrown: unknown;
      try {
        graphOf('a: c', 'b: a', 'c: b');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PipelineDefinitionError);
      expect(thrown).toMatchObject({ code: 'CYCLE', cycle: ['a', 'b', 'c', 'a'] });
    });
  });

  describe('withNode', () => {
    it('returns a new graph with the step and leaves the old one untouched', () => {
      const before = graphOf('a', 'b: a');
      const after = before.withNode(node('spawned', ['a']));

      expect(after).not.toBe(before);
      expect(after.size).toBe(3);
      expect(after.childrenOf('a')).toEqual(['b', 'spawned']);
      expect(after.order).toEqual(['a', 'b', 'spawned']);
      expect(sorted(after.descendants('a'))).toEqual(['b', 'spawned']);

      expect(before.size).toBe(2);
      expect(before.has('spawned')).toBe(false);
      expect(before.childrenOf('a')).toEqual(['b']);
      expect(before.order).toEqual(['a', 'b']);
      expect(sorted(before.descendants('a'))).toEqual(['b']);
    });

    it('grows an older graph into its own line, leaving the newer graphs as they were', () => {
      const base = graphOf('a');
      const left = base.withNode(node('x', ['a']));
      const right = base.withNode(node('y', ['a']));
      const further = left.withNode(node('z', ['x']));

      expect(left.order).toEqual(['a', 'x']);
      expect(left.childrenOf('x')).toEqual([]);
      expect(right.order).toEqual(['a', 'y']);
      expect(right.has('x')).toBe(false);
      expect(right.childrenOf('a')).toEqual(['y']);
      expect(further.order).toEqual(['a', 'x', 'z']);
      expect(further.has('y')).toBe(false);
      expect(sorted(further.descendants('a'))).toEqual(['x', 'z']);
      expect(base.order).toEqual(['a']);
      expect(base.childrenOf('a')).toEqual([]);
    });

    it('adds 20 000 spawned steps in time linear in their count', () => {
      let graph = graphOf('root');
      for (let index = 0; index < 20_000; index++) graph = graph.withNode(node(`s${index}`, ['root']));
      expect(graph.size).toBe(20_001);
      expect(graph.childrenOf('root')).toHaveLength(20_000);
      expect(graph.get('s19999')?.parents).toEqual(['root']);
    });

    it('refuses a name already in the graph and an unknown parent', () => {
      const graph = graphOf('a');
      expect(() => graph.withNode(node('a'))).toThrow(expect.objectContaining({ code: 'DUPLICATE_STEP' }));
      expect(() => graph.withNode(node('b', ['ghost']))).toThrow(expect.objectContaining({ code: 'UNKNOWN_PARENT', missing: 'ghost' }));
      expect(graph.size).toBe(1);
    });
  });

  describe('on a 100 000-step chain', () => {
    const size = 100_000;
    const chain = PipelineGraph.from(
      'chain',
      Array.from({ length: size }, (_, index) => node(`s${index}`, index === 0 ? [] : [`s${index - 1}`])),
    );

    it('orders, walks ancestors and descendants without exhausting the stack', () => {
      expect(chain.order).toHaveLength(size);
      expect(chain.order[0]).toBe('s0');
      expect(chain.order[size - 1]).toBe(`s${size - 1}`);
      expect(chain.ancestors(`s${size - 1}`).size).toBe(size - 1);
      expect(chain.descendants('s0').size).toBe(size - 1);
      expect(chain.edges()).toHaveLength(size - 1);
      expect(chain.roots()).toEqual(['s0']);
    });

    it('finds a cycle closing a chain of that length', () => {
      const ring = Array.from({ length: size }, (_, index) => node(`r${index}`, [`r${(index + size - 1) % size}`]));
      let thrown: unknown;
      try {
        PipelineGraph.from('ring', ring);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'CYCLE' });
      const cycle = (thrown as PipelineDefinitionError).cycle ?? [];
      expect(cycle).toHaveLength(size + 1);
      expect(cycle[0]).toBe('r0');
      expect(cycle[1]).toBe('r1');
      expect(cycle[size]).toBe('r0');
    });
  });
});
