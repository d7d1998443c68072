import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { RunResult } from '@pipewright/core';
import { TaskPiping } from './piping-pipeline';
import { runWhenMain } from '../shared/run-when-main';

/** Runs the task piping controller and prints what it decided. */
export async function main(): Promise<RunResult> {
  const engine = new Engine();
  try {
    const result = await engine.run(TaskPiping);
    for (const line of result.steps.pipe?.logs ?? []) console.log(`pipe: ${line.message}`);
    console.log(`decision → ${JSON.stringify(result.steps.pipe?.output)}`);
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
