import 'reflect-metadata';
import { definePipeline, Engine, Pipeline, Step, Task } from '@pipewright/core';
import type { PipelineDefinition, RunResult, StepContext } from '@pipewright/core';

/** A promise with its resolve function outside. */
const deferred = <T = void>(): { promise: Promise<T>; resolve: (value: T) => void } => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts steps in flight and remembers the most seen at once. */
class InFlight {
  now = 0;
  max = 0;
  readonly started: string[] = [];

  async around<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.started.push(name);
    this.now++;
    this.max = Math.max(this.max, this.now);
    try {
      return await work();
    } finally {
      this.now--;
    }
  }
}

/** `width` independent steps that each take a few milliseconds, counted by `counter`. */
const independentSteps = (name: string, width: number, counter: InFlight, concurrency?: number): PipelineDefinition => {
  let builder = definePipeline({ name, ...(concurrency === undefined ? {} : { concurrency }) });
  for (let index = 0; index < width; index++) {
    builder = builder.addFunctionStep(`s${index}`, (ctx) => counter.around(ctx.step, () => sleep(5).then(() => index)));
  }
  return builder.build();
};

describe('the scheduler', () => {
  const engine = new Engine();
  afterAll(() => engine.close());

  describe('starts a step as soon as all its parents have succeeded', () => {
    it('holds the join of a diamond until both branches succeed, then runs it once', async () => {
      const left = deferred();
      const right = deferred();
      const log: string[] = [];
      const definition = definePipeline({ name: 'sched-diamond' })
        .addFunctionStep('top', () => void log.push('top'))
        .addFunctionStep('left', async () => {
          log.push('left started');
          await left.promise;
          log.push('left done');
          return 'L';
        }, { parents: ['top'] })
        .addFunctionStep('right', async () => {
          log.push('right started');
          await right.promise;
          log.push('right done');
          return 'R';
        }, { parents: ['top'] })
        .addFunctionStep('join', (ctx) => {
          log.push('join');
          return `${String(ctx.parents.left)}${String(ctx.parents.right)}`;
        }, { parents: ['left', 'right'] })
        .build();

      const run = engine.start(definition);
      await sleep(10);
      expect(run.running().sort()).toEqual(['left', 'right']);
      left.resolve();
      await sleep(10);
      expect(log).not.toContain('join');
      expect(run.running()).toEqual(['right']);
      right.resolve();
      const result = await run.result;

      expect(result.status).toBe('succeeded');
      expect(result.steps.join?.output).toBe('LR');
      expect(log.filter((line) => line === 'join')).toHaveLength(1);
      expect(log.indexOf('join')).toBeGreaterThan(log.indexOf('right done'));
    });

    it("lets a fast branch's child run while an unrelated slow branch is still running", async () => {
      const fastChildRan = deferred<boolean>();
      const definition = definePipeline({ name: 'sched-uneven' })
        // The slow branch waits for the fast branch's grandchild, or gives up after 1 s.
        .addFunctionStep('slow', () => Promise.race([fastChildRan.promise, sleep(1_000).then(() => false)]))
        .addFunctionStep('fast', () => 'fast')
        .addFunctionStep('fastChild', () => 'child', { parents: ['fast'] })
        .addFunctionStep('fastGrandchild', () => fastChildRan.resolve(true), { parents: ['fastChild'] })
        .addFunctionStep('slowChild', (ctx) => ctx.parents.slow, { parents: ['slow'] })
        .build();
      const result = await engine.run(definition);
      expect(result.status).toBe('succeeded');
      expect(result.steps.slow?.output).toBe(true);
      expect(result.steps.slowChild?.output).toBe(true);
    });

    it('does not start a child whose parent failed, and skips it', async () => {
      let childRan = false;
      const definition = definePipeline({ name: 'sched-failed-parent' })
        .addFunctionStep('broken', () => {
          throw new Error('boom');
        })
        .addFunctionStep('child', () => {
          childRan = true;
        }, { parents: ['broken'] })
        .build();
      const result = await engine.run(definition);
      expect(childRan).toBe(false);
      expect(result.steps.child?.status).toBe('skipped');
    });
  });

  describe('runs independent steps at the same time', () => {
    it('starts every ready step without waiting for the others when concurrency is unbounded', async () => {
      const counter = new InFlight();
      const result = await engine.run(independentSteps('sched-unbounded', 6, counter));
      expect(result.status).toBe('succeeded');
      expect(counter.max).toBe(6);
    });

    it('runs independent template steps at the same time too', async () => {
      const gate = { waiting: 0, release: deferred() };
      @Task({ name: 'sched-barrier' })
      class Barrier {
        async execute(): Promise<string> {
          // Both clones must be inside execute() at once for either to finish before the fallback.
          if (++gate.waiting === 2) gate.release.resolve();
          const together = await Promise.race([gate.release.promise.then(() => 'together'), sleep(1_000).then(() => 'alone')]);
          return together;
        }
      }
      @Pipeline({ name: 'sched-templates' })
      class Templates {
        @Step({ template: Barrier }) one!: Barrier;
        @Step({ template: Barrier }) two!: Barrier;
      }
      const result = await engine.run(Templates);
      expect(result.steps.one?.output).toBe('together');
      expect(result.steps.two?.output).toBe('together');
    });
  });

  describe('concurrency', () => {
    it('bounds the steps in flight exactly by the @Pipeline option', async () => {
      const counter = new InFlight();
      @Pipeline({ name: 'sched-bounded', concurrency: 2 })
      class Bounded {
        @Step() a(ctx: StepContext) {
          return counter.around(ctx.step, () => sleep(5));
        }
        @Step() b(ctx: StepContext) {
          return counter.around(ctx.step, () => sleep(5));
        }
        @Step() c(ctx: StepContext) {
          return counter.around(ctx.step, () => sleep(5));
        }
        @Step() d(ctx: StepContext) {
          return counter.around(ctx.step, () => sleep(5));
        }
        @Step() e(ctx: StepContext) {
          return counter.around(ctx.step, () => sleep(5));
        }
      }
      const result = await engine.run(Bounded);
      expect(result.status).toBe('succeeded');
      expect(counter.max).toBe(2);
      expect(counter.started.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it.each([1, 3])('is overridden per run (concurrency %p)', async (concurrency) => {
      const counter = new InFlight();
      const result = await engine.run(independentSteps('sched-override', 6, counter, 2), { concurrency });
      expect(result.status).toBe('succeeded');
      expect(counter.max).toBe(concurrency);
      expect(counter.started).toHaveLength(6);
    });

    it('lets a run raise the bound above the pipeline option', async () => {
      const counter = new InFlight();
      await engine.run(independentSteps('sched-raise', 5, counter, 1), { concurrency: 10 });
      expect(counter.max).toBe(5);
    });

    it('counts only steps that run, not the steps waiting on parents', async () => {
      const counter = new InFlight();
      let builder = definePipeline({ name: 'sched-bounded-dag', concurrency: 2 }).addFunctionStep('root', (ctx) =>
        counter.around(ctx.step, () => sleep(2)),
      );
      for (let index = 0; index < 5; index++) {
        builder = builder.addFunctionStep(`leaf${index}`, (ctx) => counter.around(ctx.step, () => sleep(5)), { parents: ['root'] });
      }
      const result = await engine.run(builder.build());
      expect(result.status).toBe('succeeded');
      expect(counter.max).toBe(2);
      expect(counter.started).toHaveLength(6);
      expect(counter.started[0]).toBe('root');
    });
  });

  describe('what a step sees', () => {
    it("gives ctx.parents exactly its parents' outputs by name", async () => {
      const seen: Record<string, unknown> = {};
      const definition = definePipeline({ name: 'sched-parents', version: '3.0.0', params: { rows: 4 } })
        .addFunctionStep('a', () => ({ rows: 1 }))
        .addFunctionStep('b', () => 'b-output')
        .addFunctionStep('c', (ctx) => {
          seen.c = { ...ctx.parents };
          return [1, 2];
        }, { parents: ['a', 'b'] })
        .addFunctionStep('d', (ctx) => {
          seen.d = { ...ctx.parents };
          seen.pipeline = ctx.pipeline;
          seen.identity = { step: ctx.step, runId: ctx.runId, attempt: ctx.attempt };
        }, { parents: ['c'] })
        .build();
      const run = engine.start(definition, { params: { rows: 8 } });
      await run.result;
      expect(seen.c).toEqual({ a: { rows: 1 }, b: 'b-output' });
      expect(seen.d).toEqual({ c: [1, 2] });
      expect(seen.pipeline).toEqual({ name: 'sched-parents', version: '3.0.0', params: { rows: 8 } });
      expect(seen.identity).toEqual({ step: 'd', runId: run.id, attempt: 1 });
    });

    it('gives a root step empty parents', async () => {
      let parents: unknown;
      await engine.run(definePipeline({ name: 'sched-root' }).addFunctionStep('root', (ctx) => void (parents = ctx.parents)).build());
      expect(parents).toEqual({});
    });
  });

  describe('the RunResult', () => {
    const definition = definePipeline({ name: 'sched-result', version: '2.0.0' })
      .addFunctionStep('ok', async () => {
        await sleep(2);
        return { value: 1 };
      })
      .addFunctionStep('broken', () => {
        throw new TypeError('bad input');
      }, { parents: ['ok'] })
      .addFunctionStep('after', () => 'never', { parents: ['broken'] })
      .build();

    let result: RunResult;
    let runId: string;
    let before: number;
    let after: number;
    beforeAll(async () => {
      before = Date.now();
      const run = engine.start(definition);
      runId = run.id;
      result = await run.result;
      after = Date.now();
    });

    it('names the run, the pipeline and its version and says how it ended', () => {
      expect(result.runId).toBe(runId);
      expect(typeof runId).toBe('string');
      expect(runId.length).toBeGreaterThan(0);
      expect(result).toMatchObject({ pipeline: 'sched-result', version: '2.0.0', status: 'failed' });
      expect(result.error?.message).toContain('broken');
      expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
      expect(result.elapsedMs).toBeLessThanOrEqual(after - before);
    });

    it('has every step by name', () => {
      expect(Object.keys(result.steps).sort()).toEqual(['after', 'broken', 'ok']);
    });

    it('gives a succeeded step its output, one attempt, no error and epoch times in order', () => {
      const ok = result.steps.ok;
      expect(ok).toMatchObject({ status: 'succeeded', output: { value: 1 }, attempts: 1, error: undefined });
      expect(ok?.startedAt).toBeGreaterThanOrEqual(before);
      expect(ok?.endedAt).toBeGreaterThanOrEqual(ok?.startedAt as number);
      expect(ok?.endedAt).toBeLessThanOrEqual(after);
    });

    it('gives a failed step its error with message and name, and no output', () => {
      const broken = result.steps.broken;
      expect(broken).toMatchObject({ status: 'failed', output: undefined, attempts: 1 });
      expect(broken?.error).toMatchObject({ message: 'bad input', name: 'TypeError' });
      expect(broken?.startedAt).toBeGreaterThanOrEqual(result.steps.ok?.endedAt as number);
    });

    it('gives a step that never started zero attempts and no start time', () => {
      const skipped = result.steps.after;
      expect(skipped).toMatchObject({ status: 'skipped', output: undefined, attempts: 0, startedAt: undefined });
    });

    it('leaves a succeeded run without an error', async () => {
      const succeeded = await engine.run(definePipeline({ name: 'sched-fine' }).addFunctionStep('a', () => 1).build());
      expect(succeeded.status).toBe('succeeded');
      expect(succeeded.error).toBeUndefined();
    });

    it('is what engine.run() resolves with even when the run failed', async () => {
      await expect(engine.run(definition)).resolves.toMatchObject({ status: 'failed' });
    });
  });
});
