import type { PipelineEvent, PipelineEventType } from '@pipewright/core';
import { TestingError } from './errors';

/** Which events a trail keeps; every one by default. */
export interface TrailFilter {
  /** Event types to keep; a type ending in `.` (`'step.'`) keeps that family. */
  readonly types?: ReadonlyArray<PipelineEventType | 'run.' | 'step.'>;
  /** Steps whose events to keep (run events are kept unless `types` drops them). */
  readonly steps?: readonly string[];
}

/** A step's label: its name, or its path inside nested pipelines (`prep/clean`). */
const stepOf = (event: PipelineEvent): string | undefined => {
  if (!('step' in event)) return undefined;
  return event.path !== undefined && event.path.length > 1 ? event.path.join('/') : event.step;
};

const keeps = (filter: TrailFilter, event: PipelineEvent): boolean => {
  if (filter.types !== undefined && !filter.types.some((type) => (type.endsWith('.') ? event.type.startsWith(type) : event.type === type))) return false;
  const step = stepOf(event);
  return filter.steps === undefined || step === undefined || filter.steps.includes(step);
};

/**
 * The events as lines `'<type> <step>'` (`'step.retrying train'`), or `'<type>'` for run events,
 * in order: compare them with `toEqual` and a failure shows which step did what when.
 */
export const eventTrail = (events: readonly PipelineEvent[], filter: TrailFilter = {}): string[] =>
  events.filter((event) => keeps(filter, event)).map((event) => {
    const step = stepOf(event);
    return step === undefined ? event.type : `${event.type} ${step}`;
  });

/**
 * Asserts that the expected lines occur in the events in this order, other events allowed in
 * between (`['step.succeeded prepare', 'step.started train', 'run.succeeded']`). Throws an
 * `EVENTS_OUT_OF_ORDER` `TestingError` naming the first line not found after the previous
 * one, with the whole trail. Works with any test runner.
 */
export const expectEventsInOrder = (events: readonly PipelineEvent[], expected: readonly string[]): void => {
  const trail = eventTrail(events);
  let from = 0;
  for (const [index, line] of expected.entries()) {
    const at = trail.indexOf(line, from);
    if (at < 0) {
      const where =
        index === 0
          ? `Expected event '${line}', which never occurs.`
          : `Expected event '${line}' after '${expected[index - 1] as string}', but it ${trail.includes(line) ? 'occurs only before it' : 'never occurs'}.`;
      const listing = trail.map((entry, position) => `${String(position).padStart(3)}  ${entry}`).join('\n');
      throw new TestingError('EVENTS_OUT_OF_ORDER', `${where}\nEvents:\n${listing}`, { step: line.split(' ')[1] });
    }
    from = at + 1;
  }
};
