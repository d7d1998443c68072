import type { PipelineEvent, StepEvent } from '@pipewright/core';
import { formatDuration, formatValue } from './format';

/** `train`, or `prep › clean` for a step inside a nested pipeline. */
export const stepLabel = (event: StepEvent): string => (event.path !== undefined && event.path.length > 0 ? event.path.join(' › ') : event.step);

/** What an event says, in a few words after its type (the plain reporter's line). */
export const describeEvent = (event: PipelineEvent): string => {
  switch (event.type) {
    case 'run.started':
      return `${event.pipeline}@${event.version} run ${event.runId} params=${formatValue(event.params)}`;
    case 'run.succeeded':
    case 'run.failed':
    case 'run.aborted':
      return `${event.status} in ${formatDuration(event.elapsedMs)}${event.error ? `: ${event.error.message}` : ''}`;
    default:
      return `${stepLabel(event)}${describeStepEvent(event)}`;
  }
};

const describeStepEvent = (event: StepEvent): string => {
  switch (event.type) {
    case 'step.created':
      return event.spawnedBy === undefined ? '' : ` (spawned by ${event.spawnedBy})`;
    case 'step.queued':
      return event.queue === 'default' ? '' : ` on queue ${event.queue}`;
    case 'step.waiting':
      return `: ${event.message}`;
    case 'step.started':
      return ` (attempt ${event.attempt}${event.agent === undefined ? '' : ` on ${event.agent}`})`;
    case 'step.retrying':
      return ` after attempt ${event.attempt}: ${event.error.message}`;
    case 'step.succeeded':
    case 'step.cached':
      return ` → ${formatValue(event.output)}`;
    case 'step.failed':
    case 'step.aborted':
      return ` (attempt ${event.attempt}): ${event.error.message}${event.error.code === undefined ? '' : ` [${event.error.code}]`}`;
    case 'step.skipped':
      return `: ${event.reason}`;
    case 'step.log':
      return `: ${event.message}`;
    case 'step.metric':
      return `: ${event.name}=${event.value}`;
  }
};
