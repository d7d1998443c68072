import 'reflect-metadata';
import { StepError } from '@pipewright/core';
import type { StepChannel, StepRequest } from '@pipewright/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AddBatcher } from '../src/add-batcher';
import { AgentControl } from '../src/agent-control';
import type { PendingJob } from '../src/pending-job';
import { START_LOOKUP_DELAY_MS, StartLookup } from '../src/start-lookup';

const ABORT = 'pw:pipewright:abort';
const notice = (jobId: string, code?: string): string => JSON.stringify({ jobId, reason: { name: 'StepError', message: 'stopped', ...(code ? { code } : {}) } });

describe("an agent's control channel", () => {
  it('aborts a job whose notice came just before the agent registered it', () => {
    const control = new AgentControl(ABORT);
    control.onMessage(ABORT, notice('job-1', 'RUN_STOPPED'));

    const abort = control.register('job-1', 'train');

    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBeInstanceOf(StepError);
    expect(abort.signal.reason).toMatchObject({ code: 'RUN_STOPPED', step: 'train' });
    // Heard once: the same id taken again later (a retry is a new job, but be strict) runs.
    control.unregister('job-1');
    expect(control.register('job-1', 'train').signal.aborted).toBe(false);
  });

  it('aborts a running job on its notice, and leaves the others alone', () => {
    const control = new AgentControl(ABORT);
    const first = control.register('job-1', 'a');
    const second = control.register('job-2', 'b');

    control.onMessage(ABORT, notice('job-2'));

    expect(first.signal.aborted).toBe(false);
    expect(second.signal.aborted).toBe(true);
    expect((second.signal.reason as Error).message).toBe('stopped');
  });

  it('keeps a bounded number of notices for jobs it does not run', () => {
    const control = new AgentControl(ABORT);
    for (let i = 0; i < 10_001; i++) control.onMessage(ABORT, notice(`other-${i}`));

    expect(control.register('other-0', 'x').signal.aborted).toBe(false); // the oldest went
    expect(control.register('other-10000', 'x').signal.aborted).toBe(true);
  });
});

const pendingJob = (id: string, reported = false): PendingJob => ({
  id,
  request: { step: id } as StepRequest,
  channel: { started: jest.fn() } as unknown as StepChannel,
  signal: new AbortController().signal,
  queuedAt: 0,
  resolve: () => undefined,
  reject: () => undefined,
  added: Promise.resolve(),
  sent: false,
  taken: false,
  reported,
  warned: false,
  agent: undefined,
  error: undefined,
});

describe('adding jobs', () => {
  it('adds the attempts of one turn with one addBulk, without the ones aborted before it', async () => {
    const addBulk = jest.fn(async (jobs: unknown[]) => jobs);
    const aborted = new Set(['b']);
    const batcher = new AddBatcher({ addBulk } as unknown as Queue, (job) => !aborted.has(job.id), () => undefined);
    const jobs = ['a', 'b', 'c'].map((id) => pendingJob(id));

    for (const job of jobs) batcher.add(job);
    await Promise.all(jobs.map((job) => job.added));

    expect(addBulk).toHaveBeenCalledTimes(1);
    expect(addBulk.mock.calls[0]?.[0]).toEqual([
      { name: 'a', data: { step: 'a' }, opts: { jobId: 'a' } },
      { name: 'c', data: { step: 'c' }, opts: { jobId: 'c' } },
    ]);
    expect(jobs.map((job) => job.sent)).toEqual([true, false, true]);
  });

  it('fails every attempt of a batch that Redis refused', async () => {
    const failed = jest.fn();
    const batcher = new AddBatcher({ addBulk: () => Promise.reject(new Error('gone')) } as unknown as Queue, () => true, failed);
    const jobs = [pendingJob('a'), pendingJob('b')];

    for (const job of jobs) batcher.add(job);
    await Promise.all(jobs.map((job) => job.added));

    expect(failed.mock.calls.map(([job]) => (job as PendingJob).id)).toEqual(['a', 'b']);
    expect(jobs.every((job) => !job.sent)).toBe(true);
  });
});

describe('looking up starts', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A client whose pipelines answer from `agents`; `asked` holds the keys of each pipeline. */
  const lookupOf = (agents: Record<string, string>) => {
    const asked: string[][] = [];
    const pipeline = () => {
      const keys: string[] = [];
      return {
        hget: (key: string) => keys.push(key),
        exec: async () => (asked.push(keys), keys.map((key) => [null, agents[key] ?? null])),
      };
    };
    return { asked, lookup: new StartLookup({ pipeline } as unknown as Redis, (id) => `pw:q:${id}`, () => true) };
  };

  it('reports the agent of the jobs nothing has named yet, in one pipeline, after the delay', async () => {
    const { asked, lookup } = lookupOf({ 'pw:q:quiet': 'agent-7' });
    const quiet = pendingJob('quiet');
    const named = pendingJob('named');

    lookup.taken(quiet);
    lookup.taken(named);
    named.reported = true; // its result came first and named the agent
    await jest.advanceTimersByTimeAsync(START_LOOKUP_DELAY_MS);

    expect(asked).toEqual([['pw:q:quiet']]);
    expect(quiet.channel.started).toHaveBeenCalledWith('agent-7');
    expect(quiet).toMatchObject({ taken: true, reported: true, agent: 'agent-7' });
    expect(named.channel.started).not.toHaveBeenCalled();
  });

  it('gives each job its own delay, not the rest of an earlier job\'s', async () => {
    const { asked, lookup } = lookupOf({ 'pw:q:early': 'agent-1', 'pw:q:late': 'agent-2' });
    const early = pendingJob('early');
    const late = pendingJob('late');

    lookup.taken(early);
    await jest.advanceTimersByTimeAsync(START_LOOKUP_DELAY_MS - 5);
    lookup.taken(late);
    await jest.advanceTimersByTimeAsync(5);

    expect(early.channel.started).toHaveBeenCalledWith('agent-1');
    expect(late.channel.started).not.toHaveBeenCalled(); // taken 5 ms ago: its result may still name the agent

    await jest.advanceTimersByTimeAsync(START_LOOKUP_DELAY_MS);
    expect(late.channel.started).toHaveBeenCalledWith('agent-2');
    expect(asked).toEqual([['pw:q:early'], ['pw:q:late']]);
  });
});
