import type { PipelineEvent } from '@pipewright/core';
import { eventTrail, expectEventsInOrder, TestingError } from '@pipewright/testing';

const at = 0;
const runId = 'r';
const events: PipelineEvent[] = [
  { type: 'run.started', runId, at, pipeline: 'p', version: '0.0.0', params: {} },
  { type: 'step.created', runId, at, step: 'prep', attempt: 0 },
  { type: 'step.started', runId, at, step: 'prep', attempt: 1 },
  { type: 'step.created', runId, at, step: 'clean', attempt: 0, path: ['prep', 'clean'] },
  { type: 'step.retrying', runId, at, step: 'prep', attempt: 1, error: { message: 'x', name: 'Error' } },
  { type: 'step.succeeded', runId, at, step: 'prep', attempt: 2, output: 1 } as PipelineEvent,
  { type: 'run.succeeded', runId, at, status: 'succeeded', elapsedMs: 1 },
];

describe('eventTrail', () => {
  it('reads each event as its type and step, nested steps by their path', () => {
    expect(eventTrail(events)).toEqual([
      'run.started',
      'step.created prep',
      'step.started prep',
      'step.created prep/clean',
      'step.retrying prep',
      'step.succeeded prep',
      'run.succeeded',
    ]);
  });

  it('keeps the types, families and steps asked for', () => {
    expect(eventTrail(events, { types: ['step.retrying', 'run.'] })).toEqual(['run.started', 'step.retrying prep', 'run.succeeded']);
    expect(eventTrail(events, { steps: ['prep/clean'] })).toEqual(['run.started', 'step.created prep/clean', 'run.succeeded']);
    expect(eventTrail(events, { types: ['step.'], steps: ['prep'] })).toEqual(['step.created prep', 'step.started prep', 'step.retrying prep', 'step.succeeded prep']);
  });
});

describe('expectEventsInOrder', () => {
  it('passes when the lines occur in order, with others between', () => {
    expect(() => expectEventsInOrder(events, ['run.started', 'step.retrying prep', 'run.succeeded'])).not.toThrow();
  });

  it('names the first line out of order and shows the trail', () => {
    let error: unknown;
    try {
      expectEventsInOrder(events, ['step.succeeded prep', 'step.started prep']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TestingError);
    expect(error).toMatchObject({ code: 'EVENTS_OUT_OF_ORDER', step: 'prep' });
    expect((error as Error).message).toContain("Expected event 'step.started prep' after 'step.succeeded prep', but it occurs only before it.");
    expect((error as Error).message).toContain('  4  step.retrying prep');
  });

  it('names a line that never occurs', () => {
    expect(() => expectEventsInOrder(events, ['step.failed prep'])).toThrow("Expected event 'step.failed prep', which never occurs.");
    expect(() => expectEventsInOrder(events, ['run.started', 'run.failed'])).toThrow("Expected event 'run.failed' after 'run.started', but it never occurs.");
  });
});
