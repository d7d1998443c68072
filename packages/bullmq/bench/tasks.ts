/** The benchmark's one task, loaded by the controller and by every agent. */
import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

@Task({ name: 'bench-noop', version: '1.0.0', params: { i: 0 } })
export class BenchNoop {
  execute(ctx: StepContext<{ i: number }>) {
    return ctx.params.i;
  }
}
