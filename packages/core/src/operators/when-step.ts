import { filter, map, take, takeWhile } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import { statusOfEvent } from '../model/events';
import type { PipelineEvent, StepEvent } from '../model/events';
import { isTerminal } from '../model/results';
import type { StepStatus } from '../model/results';
import { matchesStep } from './step-selector';
import type { StepSelector } from './step-selector';

/**
 * Emits the event by which a step reaches one of the given statuses, then completes.
 *
 * `'succeeded'` is also reached by `step.cached` (a cached step counts as a success everywhere);
 * `'pending'` is reached by `step.created`. If the step ends in another status, or the run ends
 * first, it completes without emitting: with `firstValueFrom`, pass a `defaultValue` to tell
 * "did not happen" from an error.
 *
 * ```ts
 * const trained = await firstValueFrom(run.events$.pipe(whenStep('train', 'succeeded')), { defaultValue: undefined });
 * if (trained === undefined) await run.stop('training did not succeed');
 * ```
 */
export const whenStep = (step: StepSelector, status: StepStatus | readonly StepStatus[]): OperatorFunction<PipelineEvent, StepEvent> => {
  const wanted = new Set<StepStatus>(typeof status === 'string' ? [status] : status);
  if (wanted.has('succeeded')) wanted.add('cached');
  return (source) =>
    source.pipe(
      filter((event): event is StepEvent => matchesStep(event, step)),
      map((event) => ({ event, status: statusOfEvent(event) })),
      filter((change): change is { event: StepEvent; status: StepStatus } => change.status !== undefined),
      // An ending in an unwanted status is final: stop there, emitting nothing.
      takeWhile((change) => wanted.has(change.status) || !isTerminal(change.status)),
      filter((change) => wanted.has(change.status)),
      take(1),
      map((change) => change.event),
    );
};
