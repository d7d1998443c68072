import 'reflect-metadata';
import { Engine, toMermaid } from '@pipewright/core';
import type { PipelineEvent, RunResult } from '@pipewright/core';
import { PipelineOfPipelines } from './pipeline-of-pipelines';
import { runWhenMain } from '../shared/run-when-main';

/** Runs the outer pipeline, printing inner steps by their path as they end. */
export async function main(params: { rows?: number; lr?: number } = {}): Promise<RunResult> {
  const engine = new Engine();
  try {
    const run = engine.start(PipelineOfPipelines, { params });
    run.events$.subscribe((event: PipelineEvent) => {
      if (event.type === 'step.succeeded' || event.type === 'step.failed') console.log(`${event.type.padEnd(15)} ${(event.path ?? [event.step]).join(' / ')}`);
    });
    const result = await run.result;
    console.log(`\n${toMermaid(run.graph, result.steps)}`);
    console.log(`report → ${JSON.stringify(result.steps.report?.output)}`);
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
