import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { PipelineEvent, RunResult } from '@pipewright/core';
import { PipelineFromTasks } from './pipeline';
import { runWhenMain } from '../shared/run-when-main';

/** Options of {@link main}. */
export interface MainOptions {
  /** Where progress lines go; the console by default. */
  readonly print?: (line: string) => void;
}

const describeEvent = (event: PipelineEvent): string | undefined => {
  switch (event.type) {
    case 'run.started':
      return `run started with ${JSON.stringify(event.params)}`;
    case 'step.started':
      return `${event.step}: started`;
    case 'step.log':
      return `${event.step}: ${event.message}`;
    case 'step.metric':
      return `${event.step}: ${event.name} = ${event.value}`;
    case 'step.succeeded':
      return `${event.step}: → ${JSON.stringify(event.output)}`;
    case 'step.failed':
    case 'step.aborted':
      return `${event.step}: ${event.type} (${event.error.message})`;
    case 'run.succeeded':
    case 'run.failed':
    case 'run.aborted':
      return `run ${event.status} in ${event.elapsedMs} ms`;
    default:
      return undefined;
  }
};

/**
 * Runs the pipeline once, locally (ClearML's `pipe.start_locally()`), with one run-level
 * override addressed to a single step (`'stage_train.epochs'`).
 */
export async function main(options: MainOptions = {}): Promise<RunResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const engine = new Engine();
  try {
    const run = engine.start(PipelineFromTasks, { params: { rows: 150, 'stage_train.epochs': 200 } });
    run.events$.subscribe((event) => {
      const line = describeEvent(event);
      if (line !== undefined) print(line);
    });
    return await run.result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
