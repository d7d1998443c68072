import 'reflect-metadata';
import { Engine, EngineError, MemoryStore, Pipeline, registry, Step } from '@pipewright/core';
import type { RunStore, StepContext } from '@pipewright/core';

const ran: string[] = [];
let failTrain = true;

@Pipeline({ name: 'resumable', version: '1.0.0', params: { base: 1 } })
class Resumable {
  @Step()
  load(ctx: StepContext) {
    ran.push('load');
    return { base: ctx.pipeline.params.base as number };
  }

  @Step({ parents: ['load'] })
  train(ctx: StepContext) {
    ran.push('train');
    if (failTrain) throw new Error('GPU fell over');
    return { score: ctx.parents.load.base + 1 };
  }

  @Step({ parents: ['train'] })
  report(ctx: StepContext) {
    ran.push('report');
    return `score ${ctx.parents.train.score}`;
  }
}

/** A memory store that claims durability, so leases and fingerprints are used as with SQLite. */
const durable = (): RunStore => Object.assign(new MemoryStore(), { durable: true as const });

beforeEach(() => {
  ran.length = 0;
  failTrain = true;
});

describe('engine.resume(runId)', () => {
  it('keeps succeeded steps with their outputs and re-runs the rest under the same runId', async () => {
    const engine = new Engine({ store: durable() });
    const first = await engine.run(Resumable, { params: { base: 40 } });
    expect(first.status).toBe('failed');
    expect(ran).toEqual(['load', 'train']);

    failTrain = false;
    const resumed = await engine.resume(first.runId);
    expect(resumed.runId).toBe(first.runId);
    expect(resumed.status).toBe('succeeded');
    expect(ran).toEqual(['load', 'train', 'train', 'report']);
    expect(resumed.steps.report?.output).toBe('score 41'); // the run's own params were replayed
    expect((await engine.history({ pipeline: 'resumable' }))[0]).toMatchObject({ runId: first.runId, status: 'succeeded' });
  });

  it('keeps the run’s first start time, and so its place in history', async () => {
    const engine = new Engine({ store: durable() });
    const first = await engine.run(Resumable);
    failTrain = false;
    const later = await engine.run(Resumable);
    const before = (await engine.history()).find((run) => run.runId === first.runId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await engine.resume(first.runId);
    const runs = await engine.history();
    expect(runs.find((run) => run.runId === first.runId)?.startedAt).toBe(before?.startedAt);
    expect(runs.map((run) => run.runId)).toEqual([later.runId, first.runId]);
  });

  it('ends at once, running nothing, when every step already succeeded', async () => {
    failTrain = false;
    const engine = new Engine({ store: durable() });
    const first = await engine.run(Resumable);
    ran.length = 0;
    const again = await engine.resume(first.runId);
    expect(again.status).toBe('succeeded');
    expect(ran).toEqual([]);
    expect(again.steps.report?.output).toBe(first.steps.report?.output);
  });

  it('rejects an unknown run with RUN_NOT_FOUND', async () => {
    const error = await new Engine().resume('no-such-run').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'RUN_NOT_FOUND', runId: 'no-such-run' });
  });

  it('refuses with DEFINITION_CHANGED listing the differences, unless forced', async () => {
    const store = durable();
    const engine = new Engine({ store });
    const first = await engine.run(Resumable);
    const stored = await store.getRun(first.runId);
    if (!stored) throw new Error('run not stored');
    // Pretend the run began under an older definition: one step changed, one removed, one added.
    store.beginRun({ ...stored.run, fingerprint: { load: stored.run.fingerprint.load as string, train: 'old-hash', gone: 'x' } });

    const error = (await engine.resume(first.runId).catch((caught: unknown) => caught)) as EngineError;
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('DEFINITION_CHANGED');
    expect(error.details).toEqual(["changed step 'train' (code, template, parents or params)", "removed step 'gone'", "added step 'report'"]);
    expect(error.message).toContain('force: true');

    failTrain = false;
    expect((await engine.resume(first.runId, { force: true })).status).toBe('succeeded');
  });

  it('rejects with PIPELINE_NOT_FOUND when the pipeline is not loaded', async () => {
    const store = durable();
    const engine = new Engine({ store });
    const first = await engine.run(Resumable);
    const stored = await store.getRun(first.runId);
    if (!stored) throw new Error('run not stored');
    store.beginRun({ ...stored.run, version: '9.9.9' });
    await expect(engine.resume(first.runId)).rejects.toMatchObject({ code: 'PIPELINE_NOT_FOUND' });
    expect(registry.find('pipeline', 'resumable', '1.0.0')).toBe(Resumable);
  });

  it('refuses with RUN_LOCKED while another engine holds the run', async () => {
    const store = durable();
    const first = await new Engine({ store }).run(Resumable);
    const other = { owner: 'another-process', host: 'another-host', pid: 4242 };
    expect((await store.acquireLease(first.runId, other, 60_000)).owner).toBe('another-process');
    const locked = new Engine({ store }).resume(first.runId);
    await expect(locked).rejects.toMatchObject({ code: 'RUN_LOCKED', holder: { owner: 'another-process', host: 'another-host', pid: 4242 } });
    await expect(locked).rejects.toThrow(/another-process \(pid 4242 on another-host\); its lease expires in (59|60) s/);
    await store.releaseLease(first.runId, 'another-process');
    failTrain = false;
    expect((await new Engine({ store }).resume(first.runId)).status).toBe('succeeded');
  });
});
