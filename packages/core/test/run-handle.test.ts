import 'reflect-metadata';
import { definePipeline, Engine, EngineError, Pipeline, Step } from '@pipewright/core';
import type { PipelineDefinition, PipelineEvent, RunHandle, StepContext } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a subscriber of the same tick sees, and how the stream ended. */
interface Observed {
  readonly events: PipelineEvent[];
  completions: number;
  errors: unknown[];
  /** Events that arrived after `complete`. */
  late: number;
  /** How many events had arrived when `complete` came. */
  completedAfter: number | undefined;
}

const observe = (run: RunHandle): Observed => {
  const observed: Observed = { events: [], completions: 0, errors: [], late: 0, completedAfter: undefined };
  run.events$.subscribe({
    next: (event) => {
      if (observed.completions > 0) observed.late++;
      observed.events.push(event);
    },
    error: (error: unknown) => observed.errors.push(error),
    complete: () => {
      observed.completions++;
      observed.completedAfter = observed.events.length;
    },
  });
  return observed;
};

const typesOf = (events: readonly PipelineEvent[], step?: string): string[] =>
  events.filter((event) => step === undefined || ('step' in event && event.step === step)).map((event) => event.type);

/** Step lifecycle events, without logs and metrics. */
const lifecycleOf = (events: readonly PipelineEvent[], step: string): string[] =>
  typesOf(events, step).filter((type) => type !== 'step.log' && type !== 'step.metric');

const chain: PipelineDefinition = definePipeline({ name: 'handle-chain', version: '1.0.0' })
  .addFunctionStep('a', () => 1)
  .addFunctionStep('b', (ctx) => (ctx.parents.a as number) + 1, { parents: ['a'] })
  .addFunctionStep('c', (ctx) => (ctx.parents.b as number) + 1, { parents: ['b'] })
  .build();

describe('RunHandle', () => {
  it('has an id of 21 letters and digits, unique per run (safe as a command-line argument: never starts with -)', async () => {
    const engine = new Engine();
    const definition = definePipeline({ name: 'handle-ids' }).addFunctionStep('a', () => 1).build();
    const ids = new Set<string>();
    for (let index = 0; index < 200; index++) ids.add(engine.start(definition).id);
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{21}$/);
    await engine.close();
  });

  const engine = new Engine();
  afterAll(() => engine.close());

  describe('events$', () => {
    it('gives a subscriber of the same tick the whole sequence, from run.started to one final run.*', async () => {
      const run = engine.start(chain);
      const observed = observe(run);
      await run.result;

      expect(observed.events[0]).toMatchObject({ type: 'run.started', runId: run.id, pipeline: 'handle-chain', version: '1.0.0' });
      expect(observed.events.at(-1)).toMatchObject({ type: 'run.succeeded', runId: run.id, status: 'succeeded' });
      expect(typesOf(observed.events).filter((type) => type.startsWith('run.'))).toEqual(['run.started', 'run.succeeded']);
      for (const step of ['a', 'b', 'c']) {
        expect(lifecycleOf(observed.events, step)).toEqual(['step.created', 'step.queued', 'step.started', 'step.succeeded']);
      }
    });

    it('completes right after the final run.* event and never errors', async () => {
      const run = engine.start(chain);
      const observed = observe(run);
      await run.result;
      expect(observed.completions).toBe(1);
      expect(observed.completedAfter).toBe(observed.events.length);
      expect(observed.late).toBe(0);
      expect(observed.errors).toEqual([]);
    });

    it('completes without error when steps fail, ending with run.failed', async () => {
      const failing = definePipeline({ name: 'handle-failing' })
        .addFunctionStep('broken', () => {
          throw new Error('boom');
        })
        .addFunctionStep('child', () => 1, { parents: ['broken'] })
        .build();
      const run = engine.start(failing);
      const observed = observe(run);
      const result = await run.result;

      expect(result.status).toBe('failed');
      expect(observed.errors).toEqual([]);
      expect(observed.completions).toBe(1);
      expect(observed.events[0]?.type).toBe('run.started');
      expect(observed.events.at(-1)).toMatchObject({ type: 'run.failed', status: 'failed' });
      expect(lifecycleOf(observed.events, 'broken')).toEqual(['step.created', 'step.queued', 'step.started', 'step.failed']);
      expect(lifecycleOf(observed.events, 'child')).toEqual(['step.skipped']);
    });

    it('stamps every event with the run id and an epoch time, and step events with step and attempt', async () => {
      const before = Date.now();
      const run = engine.start(chain);
      const observed = observe(run);
      await run.result;
      const after = Date.now();
      let previous = 0;
      for (const event of observed.events) {
        expect(event.runId).toBe(run.id);
        expect(event.at).toBeGreaterThanOrEqual(Math.max(before, previous));
        expect(event.at).toBeLessThanOrEqual(after);
        previous = event.at;
        if (event.type.startsWith('step.')) {
          expect(event).toEqual(expect.objectContaining({ step: expect.any(String), attempt: expect.any(Number) }));
        }
      }
      const ofA = observed.events.filter((event) => 'step' in event && event.step === 'a');
      expect(ofA.map((event) => (event as { attempt: number }).attempt)).toEqual([0, 0, 1, 1]);
      expect(ofA[1]).toMatchObject({ type: 'step.queued', queue: 'default' });
      expect(ofA[3]).toMatchObject({ type: 'step.succeeded', output: 1 });
    });

    it('passes every step through queued before it runs, even under a concurrency bound', async () => {
      let builder = definePipeline({ name: 'handle-queued', concurrency: 1 });
      for (let index = 0; index < 4; index++) builder = builder.addFunctionStep(`s${index}`, () => sleep(1));
      const run = engine.start(builder.build());
      const observed = observe(run);
      await run.result;
      for (let index = 0; index < 4; index++) {
        const types = lifecycleOf(observed.events, `s${index}`);
        expect(types.indexOf('step.queued')).toBeGreaterThanOrEqual(0);
        expect(types.indexOf('step.queued')).toBeLessThan(types.indexOf('step.started'));
      }
    });

    it('emits each step event in order per step: created, queued, started, then one terminal event', async () => {
      let builder = definePipeline({ name: 'handle-wide' });
      for (let index = 0; index < 20; index++) builder = builder.addFunctionStep(`s${index}`, () => sleep(index % 3));
      builder = builder.addFunctionStep('join', () => 'done', { parents: Array.from({ length: 20 }, (_, index) => `s${index}`) });
      const run = engine.start(builder.build());
      const observed = observe(run);
      await run.result;
      for (const step of [...Array.from({ length: 20 }, (_, index) => `s${index}`), 'join']) {
        expect(lifecycleOf(observed.events, step)).toEqual(['step.created', 'step.queued', 'step.started', 'step.succeeded']);
      }
      const joinCreated = observed.events.findIndex((event) => event.type === 'step.created' && event.step === 'join');
      const lastParentDone = Math.max(
        ...observed.events.flatMap((event, index) => (event.type === 'step.succeeded' && event.step !== 'join' ? [index] : [])),
      );
      expect(joinCreated).toBeGreaterThan(lastParentDone);
    });
  });

  describe('status, running(), graph and result', () => {
    it("moves from 'pending' to 'running' to how the run ended, and running() names the steps in flight", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const observedDuring: { status?: string; running?: string[] } = {};
      let handle!: RunHandle;
      const definition = definePipeline({ name: 'handle-status' })
        .addFunctionStep('quick', () => 'q')
        .addFunctionStep('waiting', async () => {
          await gate;
          return 'w';
        })
        .addFunctionStep('observer', () => {
          observedDuring.status = handle.status;
          observedDuring.running = handle.running().sort();
        }, { parents: ['quick'] })
        .build();

      handle = engine.start(definition);
      expect(handle.status).toBe('pending');
      expect(handle.running()).toEqual([]);
      await sleep(10);
      expect(handle.status).toBe('running');
      expect(handle.running()).toEqual(['waiting']);
      release();
      const result = await handle.result;

      expect(observedDuring).toEqual({ status: 'running', running: ['observer', 'waiting'] });
      expect(handle.status).toBe('succeeded');
      expect(handle.running()).toEqual([]);
      expect(result.status).toBe('succeeded');
    });

    it("ends in 'failed' for a failed run", async () => {
      const run = engine.start(definePipeline({ name: 'handle-fails' }).addFunctionStep('x', () => Promise.reject(new Error('no'))).build());
      await run.result;
      expect(run.status).toBe('failed');
    });

    it('exposes the DAG it runs as graph', () => {
      const run = engine.start(chain);
      expect(run.graph.order).toEqual(['a', 'b', 'c']);
      expect(run.graph.parentsOf('c')).toEqual(['b']);
      return run.result;
    });

    it('resolves result with the RunResult of this run, the same promise every time', async () => {
      const run = engine.start(chain);
      expect(run.result).toBe(run.result);
      const result = await run.result;
      expect(result.runId).toBe(run.id);
      expect(result.steps.c?.output).toBe(3);
    });

    it('gives every run its own id', () => {
      const first = engine.start(chain);
      const second = engine.start(chain);
      expect(first.id).not.toBe(second.id);
      return Promise.all([first.result, second.result]);
    });
  });

  describe('stop()', () => {
    it("aborts the run: the running step sees ctx.signal, the rest is skipped, status is 'aborted'", async () => {
      let sawAbort = false;
      let markStarted!: () => void;
      const started = new Promise<void>((resolve) => (markStarted = resolve));
      @Pipeline({ name: 'handle-stop' })
      class Stoppable {
        @Step()
        async long(ctx: StepContext): Promise<void> {
          markStarted();
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          sawAbort = true;
        }

        @Step({ parents: ['long'] })
        next(): string {
          return 'never';
        }
      }
      const stoppable = engine.start(Stoppable);
      const observed = observe(stoppable);
      await started;
      const result = await stoppable.stop('enough');

      expect(sawAbort).toBe(true);
      expect(result.status).toBe('aborted');
      expect(stoppable.status).toBe('aborted');
      expect(result.steps.long?.status).toBe('aborted');
      expect(result.steps.next?.status).toBe('skipped');
      expect(await stoppable.result).toBe(result);
      expect(observed.events.at(-1)?.type).toBe('run.aborted');
      expect(observed.completions).toBe(1);
      expect(observed.errors).toEqual([]);
    });
  });

  describe('engine.close()', () => {
    it('stops the active runs and refuses new ones with ENGINE_CLOSED', async () => {
      const closing = new Engine();
      let signalled = false;
      const definition = definePipeline({ name: 'handle-close' })
        .addFunctionStep('forever', (ctx) =>
          new Promise<void>((resolve) =>
            ctx.signal.addEventListener('abort', () => {
              signalled = true;
              resolve();
            }),
          ),
        )
        .build();
      const run = closing.start(definition);
      const observed = observe(run);
      await sleep(5);
      expect(run.running()).toEqual(['forever']);

      await closing.close();
      expect(signalled).toBe(true);
      expect(run.status).toBe('aborted');
      expect(observed.completions).toBe(1);

      let thrown: unknown;
      try {
        closing.start(definition);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EngineError);
      expect(thrown).toMatchObject({ code: 'ENGINE_CLOSED', name: 'EngineError' });
      await expect(closing.run(definition)).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
      await expect(closing.close()).resolves.toBeUndefined();
    });
  });
});
