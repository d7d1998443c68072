import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { DataPreparation } from './data-preparation';
import { Training } from './training';

/**
 * ClearML's "pipeline of pipelines": one pipeline prepares the data, a second trains on it.
 * Each is a template step here; the training step's params reference the preparation step's
 * output (`${prepare.output.split.train}`), which also makes `prepare` its parent.
 */
@Pipeline({ name: 'pipeline-of-pipelines', version: '1.0.0', params: { rows: 300, lr: 0.5 } })
export class PipelineOfPipelines {
  @Step({ template: DataPreparation, params: { rows: '${pipeline.rows}' } })
  prepare!: DataPreparation;

  @Step({ template: Training, params: { train: '${prepare.output.split.train}', test: '${prepare.output.split.test}', lr: '${pipeline.lr}' } })
  training!: Training;

  @Step({ parents: ['prepare', 'training'] })
  report(ctx: StepContext) {
    return {
      rows: (ctx.parents.prepare.clean as unknown[]).length,
      accuracy: ctx.parents.training.evaluate.accuracy as number,
    };
  }
}
