import { filter } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent, StepEvent } from '../model/events';
import { matchesStep } from './step-selector';
import type { StepSelector } from './step-selector';

/**
 * Keeps the events of one step, in order: its lifecycle, logs and metrics.
 *
 * A name selects a step of the run itself (spawned steps included); a path such as
 * `['prep', 'clean']` selects a step inside a nested pipeline. A plain name never matches an
 * inner step of a nested pipeline that happens to share it.
 *
 * ```ts
 * run.events$.pipe(ofStep('train'), ofType('step.metric')).subscribe((m) => chart.add(m.name, m.value));
 * ```
 */
export const ofStep = (step: StepSelector): OperatorFunction<PipelineEvent, StepEvent> =>
  filter((event): event is StepEvent => matchesStep(event, step));
