import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, StepContext } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { integrityOf, useTempDir } from './support/temp-dir';

const ran: string[] = [];
let failScore = false;

@Pipeline({ name: 'sqlite-engine-spec', version: '1.0.0', params: { rows: 3 } })
class Etl {
  @Step()
  async extract(ctx: StepContext) {
    ran.push('extract');
    ctx.log(`extracting ${String(ctx.pipeline.params.rows)} rows`);
    ctx.metric('rows', ctx.pipeline.params.rows as number);
    await ctx.artifacts.put('raw', 'a,b,c');
    return { rows: Array.from({ length: ctx.pipeline.params.rows as number }, (_, i) => i + 1) };
  }

  @Step({ parents: ['extract'], cache: true })
  async total(ctx: StepContext) {
    ran.push('total');
    const raw = await ctx.artifacts.get('raw');
    return { sum: (ctx.parents.extract.rows as number[]).reduce((a, b) => a + b, 0), raw: raw.toString() };
  }

  @Step({ parents: ['total'] })
  score(ctx: StepContext) {
    ran.push('score');
    if (failScore) throw new Error('scorer unavailable');
    return { score: ctx.parents.total.sum * 10 };
  }
}

@Pipeline({ name: 'sqlite-engine-unserializable', version: '1.0.0' })
class ReturnsAMap {
  @Step()
  lookup() {
    return { index: new Map([['a', 1]]) };
  }
}

describe('an engine on a SqliteStore', () => {
  const dir = useTempDir();
  const engines: Engine[] = [];
  const engineOn = (path = dir.file('runs.db')): Engine => {
    const engine = new Engine({ store: new SqliteStore({ path }) });
    engines.push(engine);
    return engine;
  };
  beforeEach(() => {
    ran.length = 0;
    failScore = false;
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });

  it('persists the run, every step with its output, logs, metrics and artifacts, and the event journal', async () => {
    const engine = engineOn();
    const events: PipelineEvent[] = [];
    const handle = engine.start(Etl, { params: { rows: 4 } });
    handle.events$.subscribe((event) => events.push(event));
    const result = await handle.result;
    expect(result.status).toBe('succeeded');
    await engine.close();

    // A store opened afterwards (as another process would) sees everything.
    const store = new SqliteStore({ path: dir.file('runs.db') });
    try {
      const stored = store.getRun(result.runId);
      expect(stored?.run).toMatchObject({ runId: result.runId, pipeline: 'sqlite-engine-spec', version: '1.0.0', status: 'succeeded', params: { rows: 4 }, input: { rows: 4 } });
      expect(Object.keys(stored?.run.fingerprint ?? {}).sort()).toEqual(['extract', 'score', 'total']);
      expect(stored?.steps).toEqual(result.steps);
      expect(stored?.steps.extract?.logs.map((entry) => entry.message)).toEqual(['extracting 4 rows']);
      expect(stored?.steps.extract?.metrics).toEqual({ rows: 4 });
      expect(stored?.steps.score?.output).toEqual({ score: 100 });
      const raw = stored?.steps.extract?.artifacts.raw;
      expect(raw && (await store.artifacts.get(raw)).toString()).toBe('a,b,c');
      expect(store.events(result.runId)).toEqual(events);
    } finally {
      await store.close();
    }
    expect(integrityOf(dir.file('runs.db'))).toBe('ok');
  });

  it('has each event committed before a subscriber sees it', async () => {
    const engine = engineOn();
    const seen: Array<{ type: string; committed: string | undefined }> = [];
    const observer = new SqliteStore({ path: dir.file('runs.db') });
    const handle = engine.start(Etl);
    handle.events$.subscribe((event) => {
      if (event.type !== 'step.succeeded') return;
      // Another connection: only what is committed is visible to it.
      seen.push({ type: `${event.step}`, committed: observer.getRun(event.runId)?.steps[event.step]?.status });
    });
    await handle.result;
    await observer.close();
    expect(seen).toEqual([
      { type: 'extract', committed: 'succeeded' },
      { type: 'total', committed: 'succeeded' },
      { type: 'score', committed: 'succeeded' },
    ]);
  });

  it('has every event, progress included, in the committed journal before a subscriber sees it', async () => {
    const engine = engineOn();
    const observer = new SqliteStore({ path: dir.file('runs.db') });
    const handle = engine.start(Etl);
    const unseen: string[] = [];
    let received = 0;
    handle.events$.subscribe((event) => {
      received++;
      // Another connection sees only what is committed: the journal must already hold this event.
      const journal = observer.events(event.runId);
      if (journal.length < received || journal[received - 1]?.type !== event.type) unseen.push(event.type);
    });
    await handle.result;
    await observer.close();
    expect(received).toBeGreaterThan(10);
    expect(unseen).toEqual([]);
  });

  it('records a failed step with its error and the run as failed', async () => {
    failScore = true;
    const engine = engineOn();
    const result = await engine.run(Etl);
    const stored = await engine.inspect(result.runId);
    expect(stored.run).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('scorer unavailable') } });
    expect(stored.steps.score).toMatchObject({ status: 'failed', attempts: 1, error: { message: 'scorer unavailable', name: 'Error' } });
    expect(stored.steps.score?.endedAt).toEqual(expect.any(Number));
  });

  it('fails a step whose output JSON cannot hold, naming the path, and stores no output', async () => {
    const engine = engineOn();
    const result = await engine.run(ReturnsAMap);
    expect(result.status).toBe('failed');
    const stored = await engine.inspect(result.runId);
    expect(stored.steps.lookup).toMatchObject({ status: 'failed', output: undefined, error: { code: 'NOT_SERIALIZABLE' } });
    expect(stored.steps.lookup?.error?.message).toContain('output.index');
  });

  it('lists history newest first, filtered by pipeline and status', async () => {
    const engine = engineOn();
    const first = await engine.run(Etl);
    failScore = true;
    const second = await engine.run(Etl);
    await engine.run(ReturnsAMap);
    expect((await engine.history({ pipeline: 'sqlite-engine-spec' })).map((run) => run.runId)).toEqual([second.runId, first.runId]);
    expect((await engine.history({ pipeline: 'sqlite-engine-spec', status: 'succeeded' })).map((run) => run.runId)).toEqual([first.runId]);
    expect(await engine.history({ limit: 1 })).toHaveLength(1);
  });

  it('serves cached outputs to a later engine on the same file', async () => {
    await engineOn().run(Etl);
    ran.length = 0;
    const result = await engineOn().run(Etl);
    expect(result.steps.total?.status).toBe('cached');
    expect(result.steps.total?.output).toEqual({ sum: 6, raw: 'a,b,c' });
    expect(ran).toEqual(['extract', 'score']);
  });

  it('resumes a failed run from another engine: finished steps are kept, the rest runs', async () => {
    failScore = true;
    const first = await engineOn().run(Etl);
    expect(first.status).toBe('failed');
    failScore = false;
    ran.length = 0;
    const resumed = await engineOn().resume(first.runId);
    expect(resumed).toMatchObject({ runId: first.runId, status: 'succeeded' });
    expect(ran).toEqual(['score']);
    expect(resumed.steps.score?.output).toEqual({ score: 60 });
    expect(resumed.steps.extract).toEqual(first.steps.extract);
  });
});
