import 'reflect-metadata';
import { definePipeline } from '@pipewright/core';
import { customCacheKey, defaultCacheKey, stableStringify } from '../src/engine/cache-key';

describe('stableStringify (what cache keys hash)', () => {
  it('is the same for objects whose keys were added in another order', () => {
    expect(stableStringify({ b: 1, a: { d: 2, c: 3 } })).toBe(stableStringify({ a: { c: 3, d: 2 }, b: 1 }));
  });

  it('tells apart values JSON would merge: BigInt, bytes, functions', () => {
    expect(stableStringify({ n: 1n })).not.toBe(stableStringify({ n: '1' }));
    expect(stableStringify(Buffer.from('a'))).not.toBe(stableStringify(Buffer.from('b')));
    expect(stableStringify(() => 1)).toBe('"[function]"');
  });

  it('survives cycles', () => {
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    expect(stableStringify(node)).toBe('{"name":"a","self":"[Circular]"}');
  });
});

describe('cache keys', () => {
  const definition = definePipeline({ name: 'keys' })
    .addFunctionStep('a', () => 1)
    .addFunctionStep('b', () => 2)
    .build();
  const nodeA = definition.graph.get('a');
  const nodeB = definition.graph.get('b');
  if (nodeA === undefined || nodeB === undefined) throw new Error('nodes missing');

  it('change with the params and with the parent outputs received, not with key order', () => {
    const base = defaultCacheKey(definition, nodeA, { x: 1, y: 2 }, { p: { v: 1 } });
    expect(defaultCacheKey(definition, nodeA, { y: 2, x: 1 }, { p: { v: 1 } })).toBe(base);
    expect(defaultCacheKey(definition, nodeA, { x: 1, y: 3 }, { p: { v: 1 } })).not.toBe(base);
    expect(defaultCacheKey(definition, nodeA, { x: 1, y: 2 }, { p: { v: 2 } })).not.toBe(base);
  });

  it('differ between steps, for default and custom keys alike', () => {
    expect(defaultCacheKey(definition, nodeA, {}, {})).not.toBe(defaultCacheKey(definition, nodeB, {}, {}));
    expect(customCacheKey(definition, nodeA, 'same')).not.toBe(customCacheKey(definition, nodeB, 'same'));
  });
});
