import 'reflect-metadata';
import { lastValueFrom, toArray } from 'rxjs';
import type { Subscription } from 'rxjs';
import { Engine } from '@pipewright/core';
import type { PipelineEvent } from '@pipewright/core';
import { PostgresStore } from '@pipewright/postgres';
import { SharedPipeline } from './fixtures/shared-pipeline';
import { Controllers, killHard, printed } from './support/controllers';
import { terminateBackends, useDatabase } from './support/database';

interface Driven {
  status: string;
  runId: string;
  steps: Record<string, string>;
  outputs: Record<string, unknown>;
  history: string[];
}

interface Recovered {
  runId: string;
  status: string;
  outputs: Record<string, unknown>;
  tookOverAt: number;
  attempts: number;
}

describe('two real controller processes on one PostgreSQL database', () => {
  jest.setTimeout(180_000);
  const database = useDatabase();
  let controllers: Controllers;
  let engine: Engine | undefined;
  /** A watch in progress: ended after each spec, so a failed one leaves no timer behind. */
  let watching: Subscription | undefined;

  let specs = 0;

  beforeEach(() => {
    void SharedPipeline; // loaded: this process can resume and watch it too
    controllers = new Controllers(database.url, `spec_${++specs}`);
  });
  afterEach(async () => {
    watching?.unsubscribe();
    await engine?.close();
    engine = undefined;
    await controllers.close();
  });
  let store: PostgresStore | undefined;
  const open = (pollMs = 50): Engine => {
    store = new PostgresStore({ connectionString: database.url, schema: controllers.schema });
    return (engine = new Engine({ store, pollMs }));
  };
  /** This process's store (opening an engine on it when none is open yet). */
  const storeOf = (): PostgresStore => {
    if (engine === undefined) open();
    return store as PostgresStore;
  };
  /** Waits until the store says `step` of the run succeeded: then it is durable, whatever happens to its controller. */
  const durableSuccess = async (runId: string, step: string): Promise<void> => {
    const store = storeOf();
    for (let polls = 0; polls < 3_000; polls++) {
      if ((await store.getRun(runId))?.steps[step]?.status === 'succeeded') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`step ${step} of ${runId} never succeeded`);
  };
  const finishedSteps = async (runId: string): Promise<string[]> =>
    Object.entries((await engine!.inspect(runId)).steps).filter(([, step]) => step.status === 'succeeded').map(([name]) => name).sort();
  const journalOf = async (runId: string): Promise<string[]> => (await storeOf().readEvents(runId, 0)).map((entry) => entry.event.type);

  it('share history and the step cache: runs of both are listed everywhere, and a cached step is computed once', async () => {
    if (!database.available) return;
    const first = controllers.start('drive', { PARAMS: '{"lr":0.1}' });
    const second = controllers.start('drive', { PARAMS: '{"lr":0.2}' });
    const [one, two] = await Promise.all([printed<Driven>(first.outcome), printed<Driven>(second.outcome)]);
    expect([one.status, two.status]).toEqual(['succeeded', 'succeeded']);
    const auditsBefore = controllers.effects().audit as number;

    const third = await printed<Driven>(controllers.start('drive', { PARAMS: '{"lr":0.1}' }).outcome);
    expect(third.status).toBe('succeeded');
    expect(third.steps.audit).toBe('cached'); // the entry another process wrote
    expect(controllers.effects().audit).toBe(auditsBefore);
    // Started together, both may compute audit before either's entry is committed: the entry read is one of theirs.
    const computed = [one, two].filter((run) => run.steps.audit !== 'cached').map((run) => run.outputs.audit);
    expect(computed.length).toBeGreaterThan(0);
    expect(computed).toContainEqual(third.outputs.audit);
    expect(third.history).toEqual(expect.arrayContaining([one.runId, two.runId, third.runId]));

    const history = await open().history({ pipeline: 'postgres-spec' });
    expect(history.map((run) => run.runId).sort()).toEqual([one.runId, two.runId, third.runId].sort());
    expect(history.every((run) => run.status === 'succeeded')).toBe(true);
  });

  it('takes over the runs of a controller killed with SIGKILL, without running a finished step again', async () => {
    if (!database.available) return;
    const killed = await controllers.drive({ GATE: 'train' });
    await durableSuccess(killed.runId, 'audit');
    await killHard(killed.child, killed.outcome);
    expect(await finishedSteps(killed.runId)).toEqual(['audit', 'prepare']);
    const [recovered] = await printed<Recovered[]>(controllers.start('recover').outcome);
    expect(recovered).toMatchObject({ runId: killed.runId, status: 'succeeded' });
    // prepare and audit had finished: kept. train was running when its controller died: it runs again.
    expect(controllers.effects()).toEqual({ prepare: 1, audit: 1, train: 2, evaluate: 1, report: 1 });
    // The artifact prepare stored in the killed process is read in the one that took over.
    expect(recovered?.outputs.report).toBe(`score 0.1; rows written by pid ${String(killed.child.pid)}`);
    const journal = await journalOf(killed.runId);
    expect(journal.filter((type) => type === 'run.started')).toHaveLength(2);
    expect(journal.at(-1)).toBe('run.succeeded');
  });

  it('takes over the run of a controller on another machine only once its lease has expired', async () => {
    if (!database.available) return;
    const killed = await controllers.drive({ GATE: 'train', FAKE_HOST: 'machine-a', LEASE_TTL_MS: '3000' });
    await durableSuccess(killed.runId, 'audit');
    await killHard(killed.child, killed.outcome);
    expect(await finishedSteps(killed.runId)).toEqual(['audit', 'prepare']);
    const lease = await storeOf().readLease(killed.runId);
    expect(lease).toMatchObject({ host: 'machine-a', pid: killed.child.pid });
    const [recovered] = await printed<Recovered[]>(controllers.start('recover').outcome);
    expect(recovered).toMatchObject({ runId: killed.runId, status: 'succeeded' });
    expect(recovered?.tookOverAt).toBeGreaterThanOrEqual(lease?.expiresAt as number);
    expect(controllers.effects()).toEqual({ prepare: 1, audit: 1, train: 2, evaluate: 1, report: 1 });
  });

  it('watch() follows a run another controller drives, pushed by LISTEN/NOTIFY (its poll is 10 minutes away)', async () => {
    if (!database.available) return;
    const { runId, outcome } = await controllers.drive({ GATE: 'train' });
    const seen: PipelineEvent[] = [];
    const followed = new Promise<void>((resolve, reject) => {
      watching = open(600_000).watch(runId).subscribe({
        next: (event) => {
          seen.push(event);
          // The gate opens only once the watcher has seen the step waiting at it: what follows is live.
          if (event.type === 'step.started' && event.step === 'train') controllers.open('train');
        },
        complete: resolve,
        error: reject,
      });
    });
    await followed;
    expect(await printed<Driven>(outcome)).toMatchObject({ status: 'succeeded', runId });
    expect(seen[0]?.type).toBe('run.started');
    expect(seen.at(-1)).toMatchObject({ type: 'run.succeeded', runId });
    expect(seen.map((event) => event.type)).toEqual(await journalOf(runId));
    const again = await lastValueFrom(engine!.watch(runId).pipe(toArray()));
    expect(again).toEqual(seen);
  });

  it('a controller whose connections are terminated mid-run (pg_terminate_backend) finishes the run, losing nothing', async () => {
    if (!database.available) return;
    const { runId, outcome } = await controllers.drive({ GATE: 'train' });
    expect(await terminateBackends(database.name)).toBeGreaterThan(0);
    controllers.open('train');
    const result = await printed<Driven>(outcome);
    expect(result).toMatchObject({ status: 'succeeded', runId });
    expect(controllers.effects()).toEqual({ prepare: 1, audit: 1, train: 1, evaluate: 1, report: 1 });
    const journal = await storeOf().readEvents(runId, 0);
    expect(journal.map((entry) => entry.seq)).toEqual(journal.map((_, index) => index + 1));
    expect(journal.at(-1)?.event.type).toBe('run.succeeded');
    expect(Object.values((await engine!.inspect(runId)).steps).map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });
});
