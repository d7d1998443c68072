import 'reflect-metadata';
import { Engine, definePipeline } from '@pipewright/core';
import type { PipelineDefinition, RunResult } from '@pipewright/core';
import { stepFour, stepOne, stepThree, stepTwo } from './steps';
import { runWhenMain } from '../shared/run-when-main';

/**
 * ClearML's "pipeline from functions": plain functions become steps with `addFunctionStep`
 * (their `add_function_step`), wired by parents, with pipeline parameters passed by reference.
 */
export const buildPipeline = (): PipelineDefinition =>
  definePipeline({ name: 'pipeline-from-functions', version: '1.0.0', params: { rows: 150, testSize: 0.2, seed: 42 } })
    .addFunctionStep('step_one', stepOne, { params: { rows: '${pipeline.rows}', seed: '${pipeline.seed}' } })
    .addFunctionStep('step_two', stepTwo, { parents: ['step_one'], params: { testSize: '${pipeline.testSize}', seed: '${pipeline.seed}' } })
    .addFunctionStep('step_three', stepThree, { parents: ['step_two'] })
    .addFunctionStep('step_four', stepFour, { parents: ['step_two', 'step_three'] })
    .build();

/** Builds and runs the pipeline; prints the evaluation. */
export async function main(params: { rows?: number; testSize?: number; seed?: number } = {}): Promise<RunResult> {
  const engine = new Engine();
  try {
    const result = await engine.run(buildPipeline(), { params });
    console.log(`${result.status}: ${JSON.stringify(result.steps.step_four?.output)}`);
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
