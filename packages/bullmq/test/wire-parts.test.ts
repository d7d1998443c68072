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
  detach: () => undefined,
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
  it("reports the agent of the jobs nothing has named yet, in one pipeline, after the delay", async () => {
    const hget = jest.fn();
    const exec = jest.fn(async () => [[null, 'agent-7']]);
    const client = { pipeline: () => ({ hget, exec }) } as unknown as Redis;
    const lookup = new StartLookup(client, (id) => `pw:q:${id}`, () => true);
    const quiet = pendingJob('quiet');
    const named = pendingJob('named');

    lookup.taken(quiet);
    lookup.taken(named);
    named.reported = true; // its result came first and named the agent
    await new Promise((resolve) => setTimeout(resolve, START_LOOKUP_DELAY_MS + 20));

    expect(hget.mock.calls).toEqual([['pw:q:quiet', 'pb']]);
    expect(quiet.channel.started).toHaveBeenCalledWith('agent-7');
    expect(quiet).toMatchObject({ taken: true, reported: true, agent: 'agent-7' });
    expect(named.channel.started).not.toHaveBeenCalled();
  });
});
