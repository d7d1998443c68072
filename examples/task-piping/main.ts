import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { RunResult } from '@pipewright/core';
import { TaskPiping } from './piping-pipeline';

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

if (require.main === module) {
  main().then(
    (result) => (process.exitCode = result.status === 'succeeded' ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
