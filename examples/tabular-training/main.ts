import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { RunResult } from '@pipewright/core';
import { TabularTraining } from './tabular-pipeline';
import { runWhenMain } from '../shared/run-when-main';

/** Runs the tabular training pipeline and prints each model's accuracy and the winner. */
export async function main(): Promise<RunResult> {
  const engine = new Engine();
  try {
    const result = await engine.run(TabularTraining);
    for (const name of ['train_cautious', 'train_balanced', 'train_bold']) {
      const step = result.steps[name];
      console.log(`${name.padEnd(15)} ${step?.status}  accuracy=${step?.metrics.accuracy?.toFixed(3)}  ${step?.endedAt !== undefined && step.startedAt !== undefined ? step.endedAt - step.startedAt : '?'} ms`);
    }
    console.log(`best → ${JSON.stringify(result.steps.pick_best?.output)}`);
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
