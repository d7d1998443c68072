import type { PipelineEvent, StepEvent } from '../model/events';

/**
 * Names a step for the controller operators: a step name for a step of the run itself, or a
 * path (`['prep', 'clean']`) for a step inside a nested pipeline, as in the events' `path`.
 */
export type StepSelector = string | readonly string[];

/** `true` for step events of the selected step. A plain name never matches a nested pipeline's inner step. */
export const matchesStep = (event: PipelineEvent, selector: StepSelector): event is StepEvent => {
  if (!event.type.startsWith('step.')) return false;
  const { step, path } = event as StepEvent;
  if (typeof selector === 'string') return path === undefined && step === selector;
  if (path === undefined) return selector.length === 1 && selector[0] === step;
  return path.length === selector.length && path.every((name, i) => name === selector[i]);
};

/** `true` for events of the run's own steps, `false` for events forwarded from nested pipelines. */
export const isOwnStepEvent = (event: PipelineEvent): event is StepEvent =>
  event.type.startsWith('step.') && (event as StepEvent).path === undefined;
