import 'reflect-metadata';
import { definePipeline, Engine, EngineError, MemoryStore } from '@pipewright/core';
import type { PipelineEvent, RunRecord } from '@pipewright/core';
import { lastValueFrom, toArray } from 'rxjs';

/** A memory store that knows which journaled events and run records a commit made durable. */
class WitnessStore extends MemoryStore {
  readonly staged: PipelineEvent[] = [];
  readonly committed = new Set<PipelineEvent>();
  readonly committedRuns = new Set<string>();
  private stagedRuns: string[] = [];
  commits = 0;
  // Commits for real, at `commit()`: the engine must wait for it before publishing.
  override readonly commitsOnWrite = false;
  failAt: number | undefined;

  override beginRun(run: RunRecord): void {
    super.beginRun(run);
    this.stagedRuns.push(run.runId);
  }

  override readonly appendEvent = (event: PipelineEvent): void => {
    this.staged.push(event);
  };

  override commit(): void {
    this.commits++;
    if (this.failAt !== undefined && this.commits >= this.failAt) throw new Error('disk full');
    for (const event of this.staged.splice(0)) this.committed.add(event);
    for (const runId of this.stagedRuns.splice(0)) this.committedRuns.add(runId);
  }

  /** Whether the success of `step` is durable. */
  succeededDurably(step: string): boolean {
    return [...this.committed].some((event) => event.type === 'step.succeeded' && event.step === step);
  }
}

/** The same store, committing asynchronously (as a database over a network does). */
class AsyncWitnessStore extends WitnessStore {
  readonly asynchronous = true;
  override commit(): Promise<void> {
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          super.commit();
          resolve();
        } catch (error) {
          reject(error);
        }
      }),
    );
  }
}

const diamond = (seen: (step: string) => void) =>
  definePipeline({ name: 'witnessed' })
    .addFunctionStep('a', () => (seen('a'), 1))
    .addFunctionStep('b', (ctx) => (seen('b'), (ctx.parents.a as number) + 1), { parents: ['a'] })
    .addFunctionStep('c', (ctx) => (seen('c'), (ctx.parents.a as number) + 2), { parents: ['a'] })
    .addFunctionStep('d', (ctx) => (seen('d'), (ctx.parents.b as number) + (ctx.parents.c as number)), { parents: ['b', 'c'] })
    .build();

describe('commit, then act', () => {
  it.each([
    ['synchronous', () => new WitnessStore()],
    ['asynchronous', () => new AsyncWitnessStore()],
  ])('on a %s store, publishes no event and starts no step before what it rests on is committed', async (_kind, makeStore) => {
    const store = makeStore();
    const violations: string[] = [];
    const parents: Record<string, string[]> = { b: ['a'], c: ['a'], d: ['b', 'c'] };
    const definition = diamond((step) => {
      for (const parent of parents[step] ?? []) if (!store.succeededDurably(parent)) violations.push(`${step} started before ${parent}'s success was committed`);
    });
    const engine = new Engine({ store });
    const run = await engine.begin(definition);
    expect(store.committedRuns.has(run.id)).toBe(true);
    run.events$.subscribe((event) => {
      if (!store.committed.has(event)) violations.push(`${event.type} ${'step' in event ? event.step : ''} published before its commit`);
    });
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    expect(result.steps.d?.output).toBe(5);
    expect(violations).toEqual([]);
    expect(store.commits).toBeGreaterThan(1);
  });

  it('leaves nothing scheduled behind a run that ended: runs that end in microtasks are not kept until the event loop turns', async () => {
    const engine = new Engine({ store: new WitnessStore() });
    const immediates = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Immediate').length;
    const before = immediates();
    // Each run ends within microtasks of a synchronous store: the loop below never lets the event loop turn.
    for (let run = 0; run < 20; run++) expect((await engine.start(diamond(() => undefined)).result).status).toBe('succeeded');
    expect(immediates() - before).toBeLessThanOrEqual(1);
  });

  it('hands out the id from start() only once the run is recorded', () => {
    const store = new WitnessStore();
    const run = new Engine({ store }).start(diamond(() => undefined));
    expect(store.committedRuns.has(run.id)).toBe(true);
    return run.result;
  });

  it('refuses start() on an asynchronous store, which could not record the run before returning', () => {
    const engine = new Engine({ store: new AsyncWitnessStore() });
    expect(() => engine.start(diamond(() => undefined))).toThrow(expect.objectContaining({ code: 'ASYNC_STORE' }));
    expect(() => engine.start(diamond(() => undefined))).toThrow(EngineError);
  });

  it.each([
    ['a synchronous', () => new WitnessStore()],
    ['an asynchronous', () => new AsyncWitnessStore()],
  ])('ends the run failed with STORE_FAILED when %s store cannot commit, starting nothing on unsaved state', async (_kind, makeStore) => {
    const store = makeStore();
    const started: string[] = [];
    store.failAt = 4;
    const result = await new Engine({ store }).run(diamond((step) => started.push(step)));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'STORE_FAILED', name: 'StoreError' });
    expect(result.error?.message).toContain('disk full');
    // Commits 1–2 recorded and began the run, 3 started `a`; `a`'s success (4) never became durable, so nothing after it started.
    expect(started).toEqual(['a']);
  });

  it('refuses to start a run whose record cannot be committed: start() throws STORE_FAILED and nothing runs', () => {
    const store = new WitnessStore();
    store.failAt = 1;
    let ran = false;
    const engine = new Engine({ store });
    expect(() => engine.start(diamond(() => (ran = true)))).toThrow(expect.objectContaining({ name: 'StoreError', code: 'STORE_FAILED' }));
    expect(ran).toBe(false);
    expect(engine.get('anything')).toBeUndefined();
  });

  it('rejects begin() with STORE_FAILED when an asynchronous store cannot record the run', async () => {
    const store = new AsyncWitnessStore();
    store.failAt = 1;
    let ran = false;
    await expect(new Engine({ store }).begin(diamond(() => (ran = true)))).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_FAILED' });
    expect(ran).toBe(false);
  });

  it.each([
    ['a synchronous', () => new WitnessStore()],
    ['an asynchronous', () => new AsyncWitnessStore()],
  ])('settles the run failed with STORE_FAILED when %s store cannot commit its end', async (_kind, makeStore) => {
    const counting = makeStore();
    expect((await new Engine({ store: counting }).run(diamond(() => undefined))).status).toBe('succeeded');
    const store = makeStore();
    store.failAt = counting.commits; // the last commit: the one that records the run's end
    const run = await new Engine({ store }).begin(diamond(() => undefined));
    const events = lastValueFrom(run.events$.pipe(toArray()));
    const result = await run.result;
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'STORE_FAILED', name: 'StoreError' });
    expect(Object.values(result.steps).map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect((await events).at(-1)).toMatchObject({ type: 'run.failed' });
  });

  it('rejects begin() on an asynchronous store that cannot commit the run\'s record, handing out no id', async () => {
    const store = new AsyncWitnessStore();
    store.failAt = 1;
    await expect(new Engine({ store }).begin(diamond(() => undefined))).rejects.toThrow('disk full');
    expect(store.committedRuns.size).toBe(0);
  });

  it.each([
    ['throws undefined', () => {
      throw undefined; // eslint-disable-line no-throw-literal -- the case under test
    }],
    ['returns Promise.reject()', () => Promise.reject()],
    ['throws null', () => {
      throw null; // eslint-disable-line no-throw-literal -- the case under test
    }],
  ])('fails a step that %s, and skips its children', async (_what, body) => {
    const definition = definePipeline({ name: 'throws-nothing' })
      .addFunctionStep('a', body)
      .addFunctionStep('b', () => 1, { parents: ['a'] })
      .build();
    const result = await new Engine().run(definition);
    expect(result.status).toBe('failed');
    expect(result.steps.a).toMatchObject({ status: 'failed', error: { name: 'Error' } });
    expect(result.steps.a?.error?.message).toMatch(/Non-error thrown: (undefined|null)/);
    expect(result.steps.b?.status).toBe('skipped');
  });
});
