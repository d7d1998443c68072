import 'reflect-metadata';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Engine, EngineError } from '@pipewright/core';
import type { PipelineEvent } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { OperatePipeline } from './fixtures/operate-pipeline';
import { killHard, OperateBench } from './support/operate';
import { journalTypes } from './support/temp-dir';

const journalOf = journalTypes;

const describeEvents = (events: readonly PipelineEvent[]): string[] => events.map((event) => ('step' in event ? `${event.type} ${event.step}` : event.type));

describe('operating runs driven by other processes (real child processes)', () => {
  jest.setTimeout(120_000);
  let bench: OperateBench;
  let engine: Engine;

  beforeEach(() => {
    void OperatePipeline; // loaded: resume(), recover() and fork() find the pipeline in the registry
    bench = new OperateBench();
  });
  afterEach(async () => {
    await engine?.close();
    await bench.close();
  });
  const open = (): Engine => (engine = new Engine({ store: new SqliteStore({ path: bench.db }), pollMs: 20 }));

  it('watch() follows a live run of another process from its start to its final event', async () => {
    const { runId, outcome } = await bench.drive({ GATE: 'train' });
    const seen: PipelineEvent[] = [];
    const done = new Promise<void>((resolve, reject) => {
      open().watch(runId).subscribe({ next: (event) => {
        seen.push(event);
        // The gate opens only once the watcher has seen the step waiting at it: what follows is live.
        if (event.type === 'step.started' && event.step === 'train') bench.open('train');
      }, complete: resolve, error: reject });
    });
    await done;
    expect(JSON.parse((await outcome).stdout)).toMatchObject({ status: 'succeeded', runId });
    expect(seen[0]?.type).toBe('run.started');
    expect(seen.at(-1)).toMatchObject({ type: 'run.succeeded', runId });
    expect(seen.map((event) => event.type)).toEqual(journalOf(bench.db, runId));
    expect(describeEvents(seen)).toEqual(expect.arrayContaining(['step.succeeded prepare', 'step.succeeded train', 'step.succeeded report']));

    // A finished run: the whole journal at once, then complete.
    const again = await lastValueFrom(engine.watch(runId).pipe(toArray()));
    expect(again).toEqual(seen);
  });

  it('watch() of a run this engine drives replays its journal so far, then follows it live, each event once', async () => {
    process.env.GATE = 'train';
    try {
      const run = open().start(OperatePipeline);
      const all = lastValueFrom(run.events$.pipe(toArray()));
      await firstValueFrom(run.events$.pipe(filter((event) => event.type === 'step.started' && event.step === 'train')));
      const watched = lastValueFrom(engine.watch(run.id).pipe(toArray()));
      bench.open('train');
      const events = await watched;
      expect(events).toEqual(await all);
      expect(events.map((event) => event.type)).toEqual(journalOf(bench.db, run.id));
    } finally {
      delete process.env.GATE;
    }
  });

  it('watch() errors with RUN_INTERRUPTED when the driving process dies', async () => {
    const { child, runId, outcome } = await bench.drive({ GATE: 'train' });
    const watched = lastValueFrom(open().watch(runId).pipe(toArray()));
    await killHard(child, outcome);
    await expect(watched).rejects.toMatchObject({ name: 'EngineError', code: 'RUN_INTERRUPTED', runId });
  });

  it('recover() resumes the runs whose driver was killed, and only those', async () => {
    const killed = await bench.drive({ GATE: 'train' });
    await killHard(killed.child, killed.outcome);
    const live = await bench.drive({ GATE: 'audit' });
    const finished = await open().run(OperatePipeline);

    const handles = await engine.recover();
    expect(handles.map((handle) => handle.id)).toEqual([killed.runId]);
    const result = await handles[0]!.result;
    expect(result).toMatchObject({ status: 'succeeded', runId: killed.runId });
    expect(result.steps.report?.output).toBe('score 0.1');
    expect(engine.get(killed.runId)).toBeUndefined(); // ended
    expect(await engine.recover()).toEqual([]);
    expect((await engine.inspect(live.runId)).run.status).toBe('running');
    expect(finished.status).toBe('succeeded');
  });

  it('fork() runs `from` and its descendants again under a new id, with new params, keeping the other steps', async () => {
    const original = await bench.drive();
    expect(JSON.parse((await original.outcome).stdout)).toMatchObject({ status: 'succeeded' });
    expect(bench.effects()).toEqual({ prepare: 1, audit: 1, train: 1, evaluate: 1, report: 1 });

    const fork = open().fork(original.runId, { from: 'train', params: { lr: 0.5 } });
    expect(fork.id).not.toBe(original.runId);
    const result = await fork.result;
    expect(result.status).toBe('succeeded');
    expect(bench.effects()).toEqual({ prepare: 1, audit: 1, train: 2, evaluate: 2, report: 2 });
    expect(result.steps.report?.output).toBe('score 5');
    expect(result.steps.prepare).toMatchObject({ status: 'succeeded', output: { rows: 3 } });

    const stored = await engine.inspect(fork.id);
    expect(stored.run).toMatchObject({ status: 'succeeded', input: { lr: 0.5 }, params: { lr: 0.5 } });
    expect(Object.keys(stored.steps).sort()).toEqual(['audit', 'evaluate', 'prepare', 'report', 'train']);
    expect((await engine.inspect(original.runId)).steps.report?.output).toBe('score 0.1');
  });

  it('fork() names a step the pipeline does not have', async () => {
    const finished = await open().run(OperatePipeline);
    let caught: unknown;
    try {
      engine.fork(finished.runId, { from: 'tran' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect(caught).toMatchObject({ code: 'STEP_NOT_FOUND', subject: 'tran', runId: finished.runId });
  });

  it('stopRun() from this process stops a run another process drives', async () => {
    const { runId, outcome } = await bench.drive({ GATE: 'train', POLL_MS: '50' });
    const watched = lastValueFrom(open().watch(runId).pipe(toArray()));
    await engine.stopRun(runId, 'enough for today');
    const printed = JSON.parse((await outcome).stdout) as { status: string; errors: Record<string, string | undefined> };
    expect(printed).toMatchObject({ status: 'aborted', errors: { train: 'RUN_STOPPED' } });
    expect((await watched).at(-1)).toMatchObject({ type: 'run.aborted' });
    const stored = await engine.inspect(runId);
    expect(stored.run.status).toBe('aborted');
    expect(stored.steps.train?.error?.message).toContain('enough for today');
    await engine.stopRun(runId, 'again'); // a finished run: nothing to do
  });

  it('stopRun() ends a run whose driver is gone: aborted, its unfinished steps aborted, its journal closed', async () => {
    const { child, runId, outcome } = await bench.drive({ GATE: 'train' });
    await killHard(child, outcome);
    await open().stopRun(runId, 'abandoned');
    const stored = await engine.inspect(runId);
    expect(stored.run).toMatchObject({ status: 'aborted', error: { code: 'RUN_STOPPED' } });
    expect(stored.steps.train).toMatchObject({ status: 'aborted', error: { code: 'RUN_STOPPED' } });
    expect(journalOf(bench.db, runId).at(-1)).toBe('run.aborted');
    expect(await engine.recover()).toEqual([]);
  });
});
