import 'reflect-metadata';
import { Engine, definePipeline } from '@pipewright/core';
import type { PipelineDefinition, RunResult, StepFunction } from '@pipewright/core';
import { stepFour, stepOne, stepThree, stepTwo } from './steps';

/**
 * ClearML's "pipeline from functions": plain functions become steps with `addFunctionStep`
 * (their `add_function_step`), wired by parents, with pipeline parameters passed by reference.
 */
// `addFunctionStep` takes an untyped `(ctx: StepContext) => unknown`; the casts keep each function's own typed context.
export const buildPipeline = (): PipelineDefinition =>
  definePipeline({ name: 'pipeline-from-functions', version: '1.0.0', params: { rows: 150, testSize: 0.2, seed: 42 } })
    .addFunctionStep('step_one', stepOne as StepFunction, { params: { rows: '${pipeline.rows}', seed: '${pipeline.seed}' } })
    .addFunctionStep('step_two', stepTwo as StepFunction, { parents: ['step_one'], params: { testSize: '${pipeline.testSize}', seed: '${pipeline.seed}' } })
    .addFunctionStep('step_three', stepThree as StepFunction, { parents: ['step_two'] })
    .addFunctionStep('step_four', stepFour as StepFunction, { parents: ['step_two', 'step_three'] })
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

if (require.main === module) {
  main().then(
    (result) => (process.exitCode = result.status === 'succeeded' ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
