import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { PipelineEvent } from '@pipewright/core';
import { MlPipeline } from './ml-pipeline';

const describe = (event: PipelineEvent): string => {
  switch (event.type) {
    case 'run.started':
      return `${event.pipeline}@${event.version} params=${JSON.stringify(event.params)}`;
    case 'run.succeeded':
    case 'run.failed':
    case 'run.aborted':
      return `${event.status} in ${event.elapsedMs} ms${event.error ? `: ${event.error.message}` : ''}`;
    case 'step.log':
      return `${event.step}: ${event.message}`;
    case 'step.metric':
      return `${event.step}: ${event.name}=${event.value}`;
    case 'step.succeeded':
    case 'step.cached':
      return `${event.step} → ${JSON.stringify(event.output)}`;
    case 'step.failed':
    case 'step.aborted':
    case 'step.retrying':
      return `${event.step} (attempt ${event.attempt}): ${event.error.message}`;
    case 'step.skipped':
      return `${event.step}: ${event.reason}`;
    default:
      return event.step;
  }
};

/** Runs the flagship pipeline end to end, printing each event as it happens. */
const main = async (): Promise<void> => {
  const engine = new Engine();
  const rows = Number(process.argv[2] ?? 10);
  const run = engine.start(MlPipeline, { params: { rows } });
  const started = Date.now();
  run.events$.subscribe((event) => {
    console.log(`${String(event.at - started).padStart(5)} ms  ${event.type.padEnd(14)} ${describe(event)}`);
  });
  const result = await run.result;
  console.log(`\nresult: ${result.status}; train → ${JSON.stringify(result.steps.train?.output)}; evaluate → ${JSON.stringify(result.steps.evaluate?.output)}`);
  await engine.close();
  process.exitCode = result.status === 'succeeded' ? 0 : 1;
};

void main();
