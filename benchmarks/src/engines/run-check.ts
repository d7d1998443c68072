import type { PipelineEvent, RunResult } from '@pipewright/core';
import { BenchmarkError } from '../errors';

/** Counts every event, as a real subscriber (a progress display, a journal) would see them. */
export class EventCounter {
  total = 0;
  succeeded = 0;
  ended = '';

  readonly next = (event: PipelineEvent): void => {
    this.total++;
    if (event.type === 'step.succeeded') this.succeeded++;
    else if (event.type.startsWith('run.') && event.type !== 'run.started') this.ended = event.type;
  };
}

/**
 * Throws `WRONG_RESULT` unless the run succeeded and its subscriber saw every step succeed, the
 * run end, and at least `minEvents` events (created, started, output and succeeded per step, and
 * the run's own).
 */
export const checkRun = (label: string, result: RunResult, counter: EventCounter, steps: number, minEvents: number): void => {
  if (result.status !== 'succeeded') {
    throw new BenchmarkError('WRONG_RESULT', `${label}: the run ended ${result.status}: ${result.error?.message ?? 'no error'}.`);
  }
  if (counter.succeeded !== steps || counter.ended !== 'run.succeeded' || counter.total < minEvents) {
    throw new BenchmarkError(
      'WRONG_RESULT',
      `${label}: the subscriber saw ${counter.total} events, ${counter.succeeded} step.succeeded and end '${counter.ended}'; expected ≥ ${minEvents}, ${steps} and 'run.succeeded'.`,
    );
  }
};
