import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { ParentsOf, StepContext } from '@pipewright/core';
import { ChurnTraining } from './train-task';

/**
 * ClearML's task piping: take a task that has run (`baseline`, the template with its defaults),
 * clone it, change a parameter, launch the clone on a queue, wait for it, and act on its result.
 */
@Pipeline({ name: 'task-piping', version: '1.0.0', params: { newLr: 0.5 } })
export class TaskPiping {
  @Step({ template: ChurnTraining })
  baseline!: ChurnTraining;

  @Step({ parents: ['baseline'] })
  async pipe(ctx: StepContext<object, ParentsOf<TaskPiping, 'baseline'>>) {
    const before = ctx.parents.baseline;
    ctx.log(`baseline accuracy ${before.accuracy.toFixed(3)} with lr=${before.lr}; cloning with lr=${String(ctx.pipeline.params.newLr)}`);
    const after = await ctx.spawn(ChurnTraining, { name: 'baseline-clone', params: { lr: ctx.pipeline.params.newLr as number }, queue: 'default' });
    const improved = after.accuracy > before.accuracy;
    ctx.log(improved ? 'the clone is better: keep its learning rate' : 'the clone is no better: keep the baseline');
    return { baseline: before, clone: after, keep: improved ? 'baseline-clone' : 'baseline' };
  }
}
