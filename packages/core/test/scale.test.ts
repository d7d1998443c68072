import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { definePipeline, Engine, MemoryStore } from '@pipewright/core';
import type { PipelineDefinition, RunHandle } from '@pipewright/core';

// Correctness at scale only: speed belongs to the benchmarks.

/** A chain `s0 → s1 → … → s(length-1)`; each step adds one to its parent's output. */
const chainOf = (length: number, calls: Map<string, number>): PipelineDefinition => {
  let builder = definePipeline({ name: `scale-chain-${length}` });
  for (let index = 0; index < length; index++) {
    const name = `s${index}`;
    const parent = `s${index - 1}`;
    builder = builder.addFunctionStep(
      name,
      (ctx) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return index === 0 ? 1 : (ctx.parents[parent] as number) + 1;
      },
      index === 0 ? {} : { parents: [parent] },
    );
  }
  return builder.build();
};

/** `source → w0 … w(width-1) → sink`: each middle step adds its index to the source's output; the sink sums them. */
const fanOf = (width: number, calls: Map<string, number>): PipelineDefinition => {
  const count = (name: string): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
  let builder = definePipeline({ name: `scale-fan-${width}` }).addFunctionStep('source', () => {
    count('source');
    return 1;
  });
  const middle: string[] = [];
  for (let index = 0; index < width; index++) {
    const name = `w${index}`;
    middle.push(name);
    builder = builder.addFunctionStep(
      name,
      async (ctx) => {
        count(name);
        await Promise.resolve();
        return (ctx.parents.source as number) + index;
      },
      { parents: ['source'] },
    );
  }
  builder = builder.addFunctionStep(
    'sink',
    (ctx) => {
      count('sink');
      return { parents: Object.keys(ctx.parents).length, sum: Object.values(ctx.parents).reduce((total: number, value) => total + (value as number), 0) };
    },
    { parents: middle },
  );
  return builder.build();
};

/** `gc()` from a fresh context once the flag is set; undefined where the runtime refuses. */
const collectGarbage = (): (() => void) | undefined => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
  return gc;
};

describe('at scale', () => {
  it('runs a 10 000-step chain: every step once, each output reaching its child', async () => {
    const calls = new Map<string, number>();
    const result = await new Engine().run(chainOf(10_000, calls));
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.steps)).toHaveLength(10_000);
    expect(calls.size).toBe(10_000);
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    expect(result.steps.s9999?.output).toBe(10_000);
    expect(Object.values(result.steps).every((step) => step.status === 'succeeded')).toBe(true);
  });

  it('skips all 9 999 descendants when the head of a 10 000-step chain fails', async () => {
    const definition = definePipeline({ name: 'scale-failing-chain' }).addFunctionStep('s0', () => {
      throw new Error('head failed');
    });
    for (let index = 1; index < 10_000; index++) definition.addFunctionStep(`s${index}`, () => index, { parents: [`s${index - 1}`] });
    const result = await new Engine().run(definition.build());
    expect(result.status).toBe('failed');
    const statuses = Object.values(result.steps).map((step) => step.status);
    expect(statuses.filter((status) => status === 'skipped')).toHaveLength(9_999);
  });

  it('runs a 1 000-wide fan-out and fan-in: every step once, every output reaching the sink', async () => {
    const calls = new Map<string, number>();
    const result = await new Engine().run(fanOf(1_000, calls));
    expect(result.status).toBe('succeeded');
    expect(calls.size).toBe(1_002);
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    // Σ (1 + i) for i in 0..999
    expect(result.steps.sink?.output).toEqual({ parents: 1_000, sum: 1_000 + (999 * 1_000) / 2 });
  });

  it('bounds a wide fan-out by concurrency without losing a step', async () => {
    const calls = new Map<string, number>();
    const result = await new Engine().run(fanOf(1_000, calls), { concurrency: 7 });
    expect(result.status).toBe('succeeded');
    expect(calls.size).toBe(1_002);
    expect(result.steps.sink?.output).toMatchObject({ parents: 1_000 });
  });

  describe('a long-lived engine', () => {
    const small = definePipeline({ name: 'scale-small' })
      .addFunctionStep('a', () => 1)
      .addFunctionStep('b', (ctx) => (ctx.parents.a as number) + 1, { parents: ['a'] })
      .build();

    it('keeps at most maxRuns finished runs in its memory store, newest first', async () => {
      const store = new MemoryStore({ maxRuns: 5 });
      const engine = new Engine({ store });
      const ids: string[] = [];
      for (let index = 0; index < 40; index++) {
        const run = engine.start(small);
        ids.push(run.id);
        await run.result;
      }
      const kept = await engine.history();
      expect(kept.map((run) => run.runId)).toEqual(ids.slice(-5).reverse());
      expect(store.getRun(ids[0] as string)).toBeUndefined();
      await engine.close();
    });

    it('does not retain finished runs or their events', async () => {
      const gc = collectGarbage();
      if (gc === undefined) throw new Error('this runtime does not allow gc() to be exposed');
      const engine = new Engine({ store: new MemoryStore({ maxRuns: 1 }) });
      const refs: Array<WeakRef<object>> = [];
      // In a function of its own, so that no frame of this test holds on to a handle.
      const runOnce = async (): Promise<void> => {
        const run: RunHandle = engine.start(small);
        run.events$.subscribe((event) => refs.push(new WeakRef(event)));
        refs.push(new WeakRef(run));
        await run.result;
      };
      for (let index = 0; index < 20; index++) await runOnce();
      // WeakRef targets stay alive until the current job ends.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      // The store keeps the last run's step results, but no run handle and no event.
      expect(refs).toHaveLength(20 * 11);
      expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      await engine.close();
    });
  });
});
