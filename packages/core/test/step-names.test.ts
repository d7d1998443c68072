import 'reflect-metadata';
import { definePipeline, Engine, MemoryStore } from '../src';

describe('a step named __proto__', () => {
  it('is an own step of the run result and of the stored run, with its output', async () => {
    const store = new MemoryStore();
    const definition = definePipeline({ name: 'proto' })
      .addFunctionStep('__proto__', () => ({ x: 1 }))
      .addFunctionStep('after', (ctx) => ctx.parents.__proto__, { parents: ['__proto__'] })
      .build();
    const result = await new Engine({ store }).run(definition);
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.steps).sort()).toEqual(['__proto__', 'after']);
    expect(Object.getOwnPropertyDescriptor(result.steps, '__proto__')?.value).toMatchObject({ status: 'succeeded', output: { x: 1 } });
    expect(result.steps.after?.output).toEqual({ x: 1 });
    const stored = store.getRun(result.runId);
    expect(Object.getOwnPropertyDescriptor(stored?.steps, '__proto__')?.value).toMatchObject({ output: { x: 1 } });
  });
});
