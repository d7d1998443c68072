import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { StepContext, StepResult } from '@pipewright/core';
import { CreateDatasetTask } from './create-dataset.task';
import { ProcessDatasetTask } from './process-dataset.task';
import { TrainModelTask } from './train-model.task';

/** ClearML's `pre_execute_callback_example`: runs before the clone is launched; `false` would skip it. */
const preExecute = (ctx: StepContext): void => {
  ctx.log(`Cloning task for step '${ctx.step}' with params ${JSON.stringify(ctx.params)}`);
};

/** ClearML's `post_execute_callback_example`: runs once the step has completed. */
const postExecute = (ctx: StepContext, result: StepResult): void => {
  ctx.log(`Completed step '${ctx.step}': ${result.status} after ${result.attempts} attempt(s)`);
};

/**
 * A port of ClearML's `pipeline_from_tasks.py`: three task templates cloned as steps, parameters
 * overridden per step, and `${…}` references passing work products along.
 */
@Pipeline({ name: 'pipeline-from-tasks', version: '0.0.1', params: { rows: 150, seed: 7 } })
export class PipelineFromTasks {
  @Step({ template: CreateDatasetTask, params: { rows: '${pipeline.rows}', seed: '${pipeline.seed}' } })
  stage_data!: CreateDatasetTask;

  @Step({
    parents: ['stage_data'],
    template: ProcessDatasetTask,
    params: { dataset_artifact: '${stage_data.artifacts.dataset}', test_size: 0.25 },
    preExecute,
    postExecute,
  })
  stage_process!: ProcessDatasetTask;

  @Step({ parents: ['stage_process'], template: TrainModelTask, params: { dataset_task_id: '${stage_process.id}' } })
  stage_train!: TrainModelTask;
}
