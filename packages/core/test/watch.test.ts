import 'reflect-metadata';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import type { Observable } from 'rxjs';
import { Engine, EngineError, MemoryStore, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, RunStore, StepContext } from '@pipewright/core';

let release: () => void = () => undefined;

@Pipeline({ name: 'watch-spec' })
class WatchPipeline {
  @Step()
  first(ctx: StepContext) {
    ctx.log('first says hello');
    return 1;
  }

  @Step({ parents: ['first'] })
  async gated() {
    await new Promise<void>((resolve) => (release = resolve));
    return 2;
  }

  @Step({ parents: ['gated'] })
  last() {
    return 3;
  }
}

const typesOf = (events: readonly PipelineEvent[]): string[] => events.map((event) => ('step' in event ? `${event.type} ${event.step}` : event.type));

const gatedStarted = (events$: Observable<PipelineEvent>): Promise<PipelineEvent> =>
  firstValueFrom(events$.pipe(filter((event) => event.type === 'step.started' && event.step === 'gated')));

/** The sequence a subscriber of the same tick as start() sees: what watch() must reproduce for a late one. */
const fullSequence = async (engine: Engine): Promise<string[]> => {
  const run = engine.start(WatchPipeline);
  const all = lastValueFrom(run.events$.pipe(toArray()));
  await gatedStarted(run.events$);
  release();
  return typesOf(await all);
};

describe.each([
  ['a memory store that keeps a journal', (): RunStore => new MemoryStore({ journal: true })],
])('engine.watch(runId) on %s', (_name, makeStore) => {
  it('gives a subscriber that joins mid-run the events so far, then the live ones, each once, and completes', async () => {
    const engine = new Engine({ store: makeStore() });
    const expected = await fullSequence(engine);

    const run = engine.start(WatchPipeline);
    expect(engine.get(run.id)).toBe(run);
    // Join late: once the gated step is running, well after run.started.
    await gatedStarted(run.events$);
    const watched = lastValueFrom(engine.watch(run.id).pipe(toArray()));
    release();
    const events = await watched;
    expect(typesOf(events)).toEqual(expected);
    expect(events.at(-1)).toMatchObject({ type: 'run.succeeded', runId: run.id });
    expect(engine.get(run.id)).toBeUndefined();
    await engine.close();
  });

  it('errors with RUN_NOT_FOUND for an unknown run', async () => {
    const engine = new Engine({ store: makeStore() });
    const error = await lastValueFrom(engine.watch('nope')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'RUN_NOT_FOUND', runId: 'nope' });
    await engine.close();
  });
});

describe('engine.watch(runId) on a memory store without a journal (the default)', () => {
  it('follows a live run from the moment it subscribes, to its end', async () => {
    const engine = new Engine();
    const run = engine.start(WatchPipeline);
    await gatedStarted(run.events$);
    const watched = lastValueFrom(engine.watch(run.id).pipe(toArray()));
    release();
    expect(typesOf(await watched)).toEqual(['step.succeeded gated', 'step.created last', 'step.queued last', 'step.started last', 'step.succeeded last', 'run.succeeded']);
    await engine.close();
  });

  it('errors with NOT_SUPPORTED for a finished run: there is no journal to replay', async () => {
    const engine = new Engine();
    const run = engine.start(WatchPipeline);
    await gatedStarted(run.events$);
    release();
    await run.result;
    const error = await lastValueFrom(engine.watch(run.id)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'EngineError', code: 'NOT_SUPPORTED', runId: run.id });
    await engine.close();
  });
});
