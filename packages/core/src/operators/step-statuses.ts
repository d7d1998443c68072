import { filter, map, scan } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import { statusOfEvent } from '../model/events';
import type { PipelineEvent } from '../model/events';
import type { StepStatus } from '../model/results';
import { isOwnStepEvent } from './step-selector';

/** Each step's status by step name. */
export type StepStatuses = Readonly<Record<string, StepStatus>>;

/**
 * A running map of step → status, emitted afresh each time a step of the run changes status
 * (`step.created` counts as `pending`). Logs, metrics, `step.waiting` and run events emit
 * nothing; neither do a nested pipeline's inner steps (their nested step stands for them).
 * Each emission is a new object, so it can be kept, compared or handed to `toMermaid`.
 *
 * ```ts
 * run.events$.pipe(stepStatuses()).subscribe((statuses) => redraw(toMermaid(run.graph, statuses)));
 * ```
 */
export const stepStatuses = (): OperatorFunction<PipelineEvent, StepStatuses> => (source) =>
  source.pipe(
    filter(isOwnStepEvent),
    map((event) => ({ step: event.step, status: statusOfEvent(event) })),
    filter((change): change is { step: string; status: StepStatus } => change.status !== undefined),
    scan<{ step: string; status: StepStatus }, { statuses: StepStatuses; changed: boolean }>(
      ({ statuses }, { step, status }) =>
        statuses[step] === status ? { statuses, changed: false } : { statuses: { ...statuses, [step]: status }, changed: true },
      { statuses: {}, changed: false },
    ),
    filter(({ changed }) => changed),
    map(({ statuses }) => statuses),
  );
