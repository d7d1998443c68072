import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

@Pipeline({ name: 'smoke', params: { n: 2 } })
class Smoke {
  @Step()
  one(ctx: StepContext) {
    return (ctx.pipeline.params.n as number) + 1;
  }

  @Step({ parents: ['one'] })
  two(ctx: StepContext) {
    return ctx.parents.one * 10;
  }
}

describe('a two-step pipeline', () => {
  it('passes the parent output to the child and succeeds', async () => {
    const result = await new Engine().run(Smoke, { params: { n: 4 } });
    expect(result.status).toBe('succeeded');
    expect(result.steps.two?.output).toBe(50);
  });
});
