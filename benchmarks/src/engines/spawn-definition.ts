import { definePipeline, Task } from '@pipewright/core';
import type { PipelineDefinition, StepContext } from '@pipewright/core';
import type { Probe } from '../probe';
import type { Workload } from '../workload';

let templates = 0;

/**
 * The `spawn` workload for Pipewright: one declared step (the workload's last) spawns every other
 * step with `ctx.spawn`, all at once, awaits them all and builds its output from theirs. The
 * spawned template is a `@Task` made per definition so its body closes over this probe (its name
 * carries a counter: registering a name again would replace the earlier class).
 */
export const spawnDefinitionOf = (workload: Workload, probe: Probe): PipelineDefinition => {
  const { steps, names } = workload;
  const root = steps - 1;

  @Task({ name: `bench-spawned-${++templates}`, params: { i: -1 } })
  class Spawned {
    async execute(ctx: StepContext<{ i: number }>): Promise<unknown> {
      return probe.step(ctx.params.i, []);
    }
  }

  const spawner = async (ctx: StepContext): Promise<unknown> => {
    const spawned: Promise<unknown>[] = new Array(root);
    for (let k = 0; k < root; k++) spawned[k] = ctx.spawn(Spawned, { name: names[k] as string, params: { i: k } });
    return probe.step(root, await Promise.all(spawned));
  };
  return definePipeline({ name: 'bench-spawn' })
    .addFunctionStep(names[root] as string, spawner)
    .build();
};
