import type { StepEvent } from '../../model/events';
import type { StepEventBody } from './run-step-channel';

/**
 * A step event: its body with the run, time, step and attempt. The four events every step emits
 * are built whole, in one literal of a fixed shape, because adding four fields to a body after it
 * is made moves them into a separate backing store (an allocation per event) and walks the body
 * through four map transitions. Other events are stamped in place. Field order is the same either
 * way (body first), so serialized events read the same.
 */
export const stampedEvent = (body: StepEventBody, runId: string, step: string, attempt: number, at: number): StepEvent => {
  switch (body.type) {
    case 'step.created':
      return body.spawnedBy === undefined ? { type: body.type, runId, at, step, attempt } : { type: body.type, spawnedBy: body.spawnedBy, runId, at, step, attempt };
    case 'step.queued':
      return { type: body.type, queue: body.queue, runId, at, step, attempt };
    case 'step.started':
      return body.agent === undefined ? { type: body.type, runId, at, step, attempt } : { type: body.type, agent: body.agent, runId, at, step, attempt };
    case 'step.succeeded':
    case 'step.cached':
      return { type: body.type, output: body.output, runId, at, step, attempt };
    default: {
      const event = body as unknown as { -readonly [K in keyof StepEvent]: StepEvent[K] };
      event.runId = runId;
      event.at = at;
      event.step = step;
      event.attempt = attempt;
      return event as StepEvent;
    }
  }
};
