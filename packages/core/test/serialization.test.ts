import 'reflect-metadata';
import { definePipeline, Engine, MemoryStore } from '@pipewright/core';
import type { RunStore } from '@pipewright/core';

/** A memory store that claims durability, as SQLite does: outputs must then survive JSON. */
const durableStore = (): RunStore => Object.assign(new MemoryStore(), { durable: true as const });

const runWithOutput = async (output: () => unknown) => {
  const definition = definePipeline({ name: 'serialization' })
    .addFunctionStep('produce', output)
    .addFunctionStep('consume', () => 'never', { parents: ['produce'] })
    .build();
  return new Engine({ store: durableStore() }).run(definition);
};

describe('outputs on a durable store', () => {
  it.each([
    ['a function', () => ({ model: { predict: () => 1 } }), 'output.model.predict is a function'],
    ['a BigInt', () => ({ big: 10n }), 'output.big is a BigInt'],
    ['a class instance', () => ({ when: new Date(0) }), 'output.when is an instance of Date'],
    ['a Map', () => ({ index: new Map() }), 'output.index is an instance of Map'],
    ['bytes', () => ({ blob: Buffer.from('x') }), 'ctx.artifacts.put'],
    ['NaN', () => [1, Number.NaN], 'output[1] is NaN'],
    ['an undefined array item', () => [1, undefined], 'output[1] is undefined'],
  ])('fails the step when the output holds %s, naming the step and the path', async (_what, output, message) => {
    const result = await runWithOutput(output);
    expect(result.status).toBe('failed');
    const step = result.steps.produce;
    expect(step?.status).toBe('failed');
    expect(step?.error?.code).toBe('NOT_SERIALIZABLE');
    expect(step?.error?.message).toContain("Step 'produce'");
    expect(step?.error?.message).toContain(message);
    expect(result.steps.consume?.status).toBe('skipped');
  });

  it('names a cycle by the path where it closes', async () => {
    const result = await runWithOutput(() => {
      const node: Record<string, unknown> = { name: 'a', child: { name: 'b' } };
      (node.child as Record<string, unknown>).parent = node;
      return node;
    });
    expect(result.steps.produce?.error?.message).toContain('output.child.parent refers back');
  });

  it('accepts plain JSON values, including undefined properties and shared (non-cyclic) references', async () => {
    const shared = { x: 1 };
    const result = await runWithOutput(() => ({ a: shared, b: shared, c: undefined, d: [null, 'text', true, 1.5], e: Object.create(null) }));
    expect(result.status).toBe('succeeded');
  });

  it('holds the in-memory default store to the same rule, so tests fail where production would', async () => {
    const definition = definePipeline({ name: 'memory-outputs' }).addFunctionStep('produce', () => ({ at: new Date(0) })).build();
    const result = await new Engine().run(definition);
    expect(result.status).toBe('failed');
    expect(result.steps.produce?.error).toMatchObject({ code: 'NOT_SERIALIZABLE' });
    expect(result.steps.produce?.error?.message).toContain('produce');
    expect(result.steps.produce?.error?.message).toContain('.at');
  });

  it('keeps any output on a memory store opened with jsonOutputs: false', async () => {
    const definition = definePipeline({ name: 'memory-any-outputs' }).addFunctionStep('produce', () => ({ fn: () => 1 })).build();
    const result = await new Engine({ store: new MemoryStore({ jsonOutputs: false }) }).run(definition);
    expect(result.status).toBe('succeeded');
    expect(typeof (result.steps.produce?.output as { fn: unknown }).fn).toBe('function');
  });
});
