import type { RunRecord, RunStore, ScheduleRecord } from '@pipewright/core';
import type { ContractSubject } from './run-store-contract';

const record = (runId: string): RunRecord => ({
  runId,
  pipeline: 'contract',
  version: '1.0.0',
  params: {},
  input: {},
  fingerprint: {},
  status: 'running',
  startedAt: 1_000,
  endedAt: undefined,
  error: undefined,
});

const schedule = (overrides: Partial<ScheduleRecord> = {}): ScheduleRecord => ({
  id: 'nightly',
  pipeline: 'contract',
  version: '1.0.0',
  cron: '0 3 * * *',
  timezone: 'Europe/Paris',
  params: { rows: 10 },
  createdAt: 100,
  seenAt: 100,
  ...overrides,
});

/**
 * The durable-wait members of a `RunStore` (signals, step waits, schedules): optional in the
 * port, required for `ctx.waitFor`, durable sleeps and `engine.schedule`. Every call is awaited.
 */
export const describeWaitsContract = (name: string, open: () => ContractSubject | Promise<ContractSubject>): void => {
  describe(`RunStore contract, durable waits: ${name}`, () => {
    let subject: ContractSubject;
    let store: Required<RunStore>;
    beforeEach(async () => {
      subject = await open();
      store = subject.store as Required<RunStore>;
      store.beginRun(record('r1'));
      store.beginRun(record('r2'));
      await store.commit();
    });
    afterEach(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    it('keeps signals per run and name, oldest first, until a wait consumes one in its commit', async () => {
      expect(await store.readSignal('r1', 'go')).toBeUndefined();
      await store.sendSignal('r1', 'go', { n: 1 }, 10);
      await store.sendSignal('r1', 'go', { n: 2 }, 11);
      await store.sendSignal('r1', 'other', 'x', 12);
      await store.sendSignal('r2', 'go', null, 13);
      const first = await store.readSignal('r1', 'go');
      expect(first).toMatchObject({ name: 'go', payload: { n: 1 }, sentAt: 10 });
      store.saveWait('r1', 'approve', 0, { kind: 'signal', name: 'go', payload: { n: 1 }, deliveredAt: 20 }, first?.id);
      await store.commit();
      expect(await store.readSignal('r1', 'go')).toMatchObject({ payload: { n: 2 } });
      expect(await store.readSignal('r1', 'other')).toMatchObject({ payload: 'x' });
      expect(await store.readSignal('r2', 'go')).toMatchObject({ payload: null });
    });

    it('keeps each step wait by seq, replacing one of the same seq, per run and step', async () => {
      expect(await store.readWaits('r1', 'a')).toEqual([]);
      store.saveWait('r1', 'a', 1, { kind: 'sleep', until: 5_000 });
      store.saveWait('r1', 'a', 0, { kind: 'signal', name: 'go', payload: [1, { b: true }], deliveredAt: 3 });
      store.saveWait('r1', 'b', 0, { kind: 'sleep', until: 1 });
      await store.commit();
      store.saveWait('r1', 'a', 1, { kind: 'sleep', until: 6_000 });
      await store.commit();
      expect(await store.readWaits('r1', 'a')).toEqual([
        { seq: 0, record: { kind: 'signal', name: 'go', payload: [1, { b: true }], deliveredAt: 3 } },
        { seq: 1, record: { kind: 'sleep', until: 6_000 } },
      ]);
      expect(await store.readWaits('r2', 'a')).toEqual([]);
    });

    it('registers schedules keeping their first createdAt, and gives each tick to one claimer', async () => {
      expect(await store.saveSchedule(schedule())).toEqual(schedule());
      expect(await store.saveSchedule(schedule({ createdAt: 500, seenAt: 500, params: { rows: 20 } }))).toEqual(schedule({ seenAt: 500, params: { rows: 20 } }));
      await store.saveSchedule(schedule({ id: 'hourly', cron: '0 * * * *', timezone: undefined }));
      expect(await store.claimTick('nightly', 1_000, 'a', 'run-a')).toBe(true);
      expect(await store.claimTick('nightly', 1_000, 'b', 'run-b')).toBe(false);
      expect(await store.claimTick('nightly', 2_000, 'b', 'run-c')).toBe(true);
      expect(await store.claimTick('hourly', 1_000, 'b', 'run-d')).toBe(true);
      expect(await store.listSchedules()).toEqual([
        { ...schedule({ id: 'hourly', cron: '0 * * * *', timezone: undefined }), lastTickAt: 1_000, lastRunId: 'run-d' },
        { ...schedule({ seenAt: 500, params: { rows: 20 } }), lastTickAt: 2_000, lastRunId: 'run-c' },
      ]);
    });
  });
};
