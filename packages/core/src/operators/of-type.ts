import { filter } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent, PipelineEventType } from '../model/events';

/**
 * Keeps the events of the given types, narrowing their type.
 *
 * ```ts
 * run.events$.pipe(ofType('step.failed', 'step.aborted')).subscribe((e) => alert(e.step, e.error.message));
 * ```
 * With no type given, nothing passes.
 */
export const ofType = <T extends PipelineEventType>(...types: readonly T[]): OperatorFunction<PipelineEvent, Extract<PipelineEvent, { type: T }>> => {
  const wanted: ReadonlySet<string> = new Set(types);
  return filter((event): event is Extract<PipelineEvent, { type: T }> => wanted.has(event.type));
};
