import 'reflect-metadata';
import { Engine, Pipeline, Step, StepError, Task } from '@pipewright/core';
import type { PipelineEvent, StepContext } from '@pipewright/core';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

@Task({ name: 'square', params: { x: 2 } })
class Square {
  async execute(ctx: StepContext<{ x: number }>) {
    ctx.log(`squaring ${ctx.params.x}`);
    return { y: ctx.params.x * ctx.params.x };
  }
}

@Task({ name: 'explode', params: { message: 'boom' } })
class Explode {
  async execute(ctx: StepContext<{ message: string }>): Promise<never> {
    throw new StepError('STEP_FAILED', ctx.step, ctx.params.message);
  }
}

@Task({ name: 'slow', params: { ms: 20, value: 1 } })
class Slow {
  async execute(ctx: StepContext<{ ms: number; value: number }>) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ctx.params.ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason as Error);
      });
    });
    return ctx.params.value;
  }
}

const flaky = { calls: 0 };
@Task({ name: 'flaky' })
class Flaky {
  async execute() {
    flaky.calls++;
    if (flaky.calls < 3) throw new Error(`flaky call ${flaky.calls}`);
    return 'third time lucky';
  }
}

@Pipeline({ name: 'tiny-inner', params: { n: 1 } })
class TinyInner {
  @Step()
  double(ctx: StepContext) {
    return (ctx.pipeline.params.n as number) * 2;
  }
}

const collect = (events$: import('rxjs').Observable<PipelineEvent>): PipelineEvent[] => {
  const events: PipelineEvent[] = [];
  events$.subscribe((event) => events.push(event));
  return events;
};

describe('ctx.spawn', () => {
  @Pipeline({ name: 'spawner' })
  class Spawner {
    @Step()
    async control(ctx: StepContext) {
      const a = await ctx.spawn(Square, { name: 'sq3', params: { x: 3 } });
      const b = await ctx.spawn(Square);
      return a.y + b.y;
    }
  }

  it('clones a @Task with parameter overrides and resolves with its output', async () => {
    const result = await new Engine().run(Spawner);
    expect(result.status).toBe('succeeded');
    expect(result.steps.control?.output).toBe(9 + 4);
  });

  it('names a spawned step after its template unless given a name, and lists it in result.steps', async () => {
    const result = await new Engine().run(Spawner);
    expect(Object.keys(result.steps).sort()).toEqual(['control', 'sq3', 'square']);
    expect(result.steps.sq3?.output).toEqual({ y: 9 });
    expect(result.steps.sq3?.logs.map((line) => line.message)).toEqual(['squaring 3']);
    expect(result.steps.square?.output).toEqual({ y: 4 });
  });

  it('adds the spawned step to run.graph as a child of the caller', async () => {
    const run = new Engine().start(Spawner);
    expect(run.graph.has('sq3')).toBe(false);
    await run.result;
    expect(run.graph.parentsOf('sq3')).toEqual(['control']);
    expect(run.graph.get('sq3')?.spawnedBy).toBe('control');
    expect(run.graph.childrenOf('control')).toEqual(['sq3', 'square']);
  });

  it('emits the spawned step lifecycle on events$, step.created naming the caller in spawnedBy', async () => {
    const run = new Engine().start(Spawner);
    const events = collect(run.events$);
    await run.result;
    const ofSq3 = events.filter((event) => 'step' in event && event.step === 'sq3');
    expect(ofSq3.map((event) => event.type)).toEqual(['step.created', 'step.queued', 'step.started', 'step.log', 'step.succeeded']);
    expect(ofSq3[0]).toMatchObject({ type: 'step.created', spawnedBy: 'control', runId: run.id });
    // the spawned step ends before its caller does
    const types = events.map((event) => ('step' in event ? `${event.type}:${event.step}` : event.type));
    expect(types.indexOf('step.succeeded:sq3')).toBeLessThan(types.indexOf('step.succeeded:control'));
    expect(types[types.length - 1]).toBe('run.succeeded');
  });

  it('spawns a @Pipeline as a nested run whose output is its steps’ outputs', async () => {
    @Pipeline({ name: 'spawns-pipeline' })
    class SpawnsPipeline {
      @Step()
      async control(ctx: StepContext) {
        const out = (await ctx.spawn(TinyInner, { name: 'inner', params: { n: 21 } })) as { double: number };
        return out.double;
      }
    }
    const run = new Engine().start(SpawnsPipeline);
    const events = collect(run.events$);
    const result = await run.result;
    expect(result.steps.control?.output).toBe(42);
    expect(result.steps.inner?.output).toEqual({ double: 42 });
    const inner = events.find((event) => event.type === 'step.succeeded' && event.step === 'double');
    expect(inner).toMatchObject({ runId: run.id, path: ['inner', 'double'] });
  });

  describe('failures', () => {
    it('rejects the caller’s promise with the spawned step’s error; a caught failure does not fail the run', async () => {
      let caught: unknown;
      @Pipeline({ name: 'catches' })
      class Catches {
        @Step()
        async control(ctx: StepContext) {
          try {
            await ctx.spawn(Explode, { name: 'bad', params: { message: 'no luck' } });
          } catch (error) {
            caught = error;
          }
          return 'recovered';
        }
      }
      const result = await new Engine().run(Catches);
      expect(result.status).toBe('succeeded');
      expect(result.steps.control?.output).toBe('recovered');
      expect(result.steps.bad).toMatchObject({ status: 'failed', error: { message: 'no luck', code: 'STEP_FAILED', name: 'StepError' } });
      expect(caught).toBeInstanceOf(Error);
      expect(caught).toMatchObject({ message: 'no luck', code: 'STEP_FAILED', name: 'StepError' });
    });

    it('fails the caller, and so the run, when the caller does not catch', async () => {
      @Pipeline({ name: 'does-not-catch' })
      class DoesNotCatch {
        @Step()
        async control(ctx: StepContext) {
          await ctx.spawn(Explode, { name: 'bad' });
          return 'unreachable';
        }

        @Step({ parents: ['control'] })
        after() {
          return 'never';
        }
      }
      const result = await new Engine().run(DoesNotCatch);
      expect(result.status).toBe('failed');
      expect(result.steps.bad?.status).toBe('failed');
      expect(result.steps.control).toMatchObject({ status: 'failed', error: { message: 'boom' } });
      expect(result.steps.after?.status).toBe('skipped');
      expect(result.error?.message).toContain("Step 'control' failed");
    });

    it('rejects a name already used in the run with DUPLICATE_STEP naming it, and adds nothing', async () => {
      let caught: unknown;
      @Pipeline({ name: 'duplicates' })
      class Duplicates {
        @Step()
        first() {
          return 1;
        }

        @Step({ parents: ['first'] })
        async control(ctx: StepContext) {
          await ctx.spawn(Square, { name: 'trial' });
          try {
            await ctx.spawn(Square, { name: 'trial' });
          } catch (error) {
            caught = error;
          }
          await ctx.spawn(Square, { name: 'first' }).catch((error: unknown) => ((caught as Error[]) = [caught as Error, error as Error]));
          return 'done';
        }
      }
      const run = new Engine().start(Duplicates);
      const result = await run.result;
      expect(result.status).toBe('succeeded');
      const [again, clash] = caught as [StepError, StepError];
      expect(again).toBeInstanceOf(StepError);
      expect(again.code).toBe('DUPLICATE_STEP');
      expect(again.message).toContain("'trial'");
      expect(clash.code).toBe('DUPLICATE_STEP');
      expect(clash.message).toContain("'first'");
      expect(run.graph.size).toBe(3);
      expect(result.steps.first?.output).toBe(1);
    });

    it('rejects a class that is neither a @Task nor a @Pipeline with INVALID_TEMPLATE naming it', async () => {
      class NotATemplate {
        execute() {
          return 1;
        }
      }
      let caught: unknown;
      @Pipeline({ name: 'bad-template' })
      class BadTemplate {
        @Step()
        async control(ctx: StepContext) {
          await ctx.spawn(NotATemplate).catch((error: unknown) => (caught = error));
          return 'ok';
        }
      }
      const result = await new Engine().run(BadTemplate);
      expect(result.status).toBe('succeeded');
      expect(caught).toMatchObject({ code: 'INVALID_TEMPLATE' });
      expect((caught as Error).message).toContain('NotATemplate');
    });

    it('refuses to spawn from a step that has ended', async () => {
      let late: Promise<unknown> | undefined;
      @Pipeline({ name: 'late-spawn' })
      class LateSpawn {
        @Step()
        control(ctx: StepContext) {
          setTimeout(() => (late = ctx.spawn(Square, { name: 'too-late' }).then(() => 'resolved', (error: unknown) => error)), 5);
          return 'ended';
        }
      }
      const run = new Engine().start(LateSpawn);
      const result = await run.result;
      await delay(15);
      expect(await late).toMatchObject({ code: 'SPAWN_FAILED' });
      expect(result.steps['too-late']).toBeUndefined();
      expect(run.graph.has('too-late')).toBe(false);
    });

    it('keeps spawned steps of a still-running caller running when another step fails the run', async () => {
      @Pipeline({ name: 'other-fails' })
      class OtherFails {
        @Step()
        async control(ctx: StepContext) {
          await delay(10);
          const a = await ctx.spawn(Slow, { name: 'trial-1', params: { ms: 20, value: 5 } });
          const b = await ctx.spawn(Slow, { name: 'trial-2', params: { ms: 5, value: 6 } });
          return a + b;
        }

        @Step()
        async breaks() {
          await delay(15);
          throw new Error('unrelated failure');
        }
      }
      const result = await new Engine().run(OtherFails);
      expect(result.status).toBe('failed');
      expect(result.steps.breaks?.status).toBe('failed');
      expect(result.steps['trial-1']).toMatchObject({ status: 'succeeded', output: 5 });
      expect(result.steps['trial-2']).toMatchObject({ status: 'succeeded', output: 6 });
      expect(result.steps.control).toMatchObject({ status: 'succeeded', output: 11 });
    });

    it('aborts spawned steps with the caller’s run when abortOnFailure is set', async () => {
      @Pipeline({ name: 'other-fails-abort', abortOnFailure: true })
      class OtherFailsAbort {
        @Step()
        async control(ctx: StepContext) {
          return ctx.spawn(Slow, { name: 'trial', params: { ms: 200, value: 5 } });
        }

        @Step()
        async breaks() {
          await delay(15);
          throw new Error('unrelated failure');
        }
      }
      const result = await new Engine().run(OtherFailsAbort);
      expect(result.status).toBe('failed');
      expect(result.steps.trial).toMatchObject({ status: 'aborted', error: { code: 'ABORTED_ON_FAILURE' } });
      expect(result.steps.control?.status).toBe('aborted');
    });
  });

  describe('scheduling', () => {
    it('does not deadlock at concurrency 1: the waiting caller hands its slot to the spawned step', async () => {
      @Pipeline({ name: 'one-slot', concurrency: 1 })
      class OneSlot {
        @Step()
        async control(ctx: StepContext) {
          const first = await ctx.spawn(Square, { name: 'a', params: { x: 2 } });
          const second = await ctx.spawn(Square, { name: 'b', params: { x: 3 } });
          return first.y + second.y;
        }

        @Step()
        other() {
          return 'other';
        }
      }
      const result = await new Engine().run(OneSlot);
      expect(result.status).toBe('succeeded');
      expect(result.steps.control?.output).toBe(13);
    });

    it('does not deadlock at concurrency 1 when several spawns are awaited together and one starts late', async () => {
      @Pipeline({ name: 'one-slot-all', concurrency: 1 })
      class OneSlotAll {
        @Step()
        async control(ctx: StepContext) {
          const outputs = await Promise.all([
            ctx.spawn(Square, { name: 'quick', params: { x: 2 } }),
            ctx.spawn(Square, { name: 'late', params: { x: 3 } }),
          ]);
          return outputs.map((output) => output.y);
        }
      }
      // `late` spends a while in its onStepCreated callback, so `quick` has ended before `late` asks for a slot.
      const onStepCreated = async (ctx: StepContext): Promise<void> => {
        if (ctx.step === 'late') await delay(20);
      };
      const result = await new Engine().run(OneSlotAll, { onStepCreated });
      expect(result.status).toBe('succeeded');
      expect(result.steps.control?.output).toEqual([4, 9]);
    });

    it('never runs more spawned steps at once than the concurrency allows', async () => {
      let inFlight = 0;
      let most = 0;
      @Task({ name: 'counted', params: { i: 0 } })
      class Counted {
        async execute(ctx: StepContext<{ i: number }>) {
          inFlight++;
          most = Math.max(most, inFlight);
          await delay(5);
          inFlight--;
          return ctx.params.i;
        }
      }
      @Pipeline({ name: 'bounded', concurrency: 2 })
      class Bounded {
        @Step()
        async control(ctx: StepContext) {
          const all = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => ctx.spawn(Counted, { name: `c${i}`, params: { i } })));
          return all.reduce((sum, value) => sum + value, 0);
        }
      }
      const result = await new Engine().run(Bounded);
      expect(result.steps.control?.output).toBe(15);
      expect(most).toBe(2);
    });

    it('retries a spawned step with the retry policy given to spawn', async () => {
      flaky.calls = 0;
      @Pipeline({ name: 'retries-spawned' })
      class RetriesSpawned {
        @Step()
        async control(ctx: StepContext) {
          return ctx.spawn(Flaky, { retry: { retries: 3, minTimeout: 1, maxTimeout: 1 } });
        }
      }
      const run = new Engine().start(RetriesSpawned);
      const events = collect(run.events$);
      const result = await run.result;
      expect(result.steps.control?.output).toBe('third time lucky');
      expect(result.steps.flaky).toMatchObject({ status: 'succeeded', attempts: 3 });
      expect(events.filter((event) => event.type === 'step.retrying' && event.step === 'flaky')).toHaveLength(2);
    });

    it('times out a spawned step with the timeoutMs given to spawn, rejecting the caller with STEP_TIMEOUT', async () => {
      let caught: unknown;
      @Pipeline({ name: 'times-out-spawned' })
      class TimesOutSpawned {
        @Step()
        async control(ctx: StepContext) {
          await ctx.spawn(Slow, { name: 'sluggish', params: { ms: 500, value: 1 }, timeoutMs: 15 }).catch((error: unknown) => (caught = error));
          return 'gave up';
        }
      }
      const result = await new Engine().run(TimesOutSpawned);
      expect(result.status).toBe('succeeded');
      expect(result.steps.sluggish).toMatchObject({ status: 'aborted', error: { code: 'STEP_TIMEOUT' } });
      expect(caught).toMatchObject({ code: 'STEP_TIMEOUT' });
      expect(caught).toBeInstanceOf(StepError);
      expect((caught as StepError).step).toBe('sluggish');
    });

    it('rejects with a StepError naming the spawned step, the step’s own error as its cause', async () => {
      @Task({ name: 'throws-type-error' })
      class ThrowsTypeError {
        execute(): never {
          throw new TypeError('not a number');
        }
      }
      let caught: unknown;
      @Pipeline({ name: 'catches-type-error' })
      class CatchesTypeError {
        @Step()
        async control(ctx: StepContext) {
          await ctx.spawn(ThrowsTypeError, { name: 'typed' }).catch((error: unknown) => (caught = error));
          return 'caught';
        }
      }
      const result = await new Engine().run(CatchesTypeError);
      expect(result.status).toBe('succeeded');
      expect(caught).toBeInstanceOf(StepError);
      expect(caught).toMatchObject({ code: 'STEP_FAILED', step: 'typed', message: 'not a number' });
      expect((caught as Error).cause).toMatchObject({ name: 'TypeError', message: 'not a number' });
    });

    it('lets a retried caller spawn again under a new name (names stay unique across attempts)', async () => {
      @Pipeline({ name: 'caller-retries' })
      class CallerRetries {
        @Step({ retry: { retries: 1, minTimeout: 1 } })
        async control(ctx: StepContext) {
          const out = await ctx.spawn(Square, { name: `square-${ctx.attempt}`, params: { x: ctx.attempt } });
          if (ctx.attempt === 1) throw new Error('first attempt fails after spawning');
          return out.y;
        }
      }
      const result = await new Engine().run(CallerRetries);
      expect(result.status).toBe('succeeded');
      expect(result.steps.control).toMatchObject({ output: 4, attempts: 2 });
      expect(result.steps['square-1']?.output).toEqual({ y: 1 });
      expect(result.steps['square-2']?.output).toEqual({ y: 4 });
    });

    it('stop() aborts spawned steps that are running and ends the run aborted', async () => {
      @Pipeline({ name: 'stopped' })
      class Stopped {
        @Step()
        async control(ctx: StepContext) {
          return ctx.spawn(Slow, { name: 'long', params: { ms: 1_000, value: 1 } });
        }
      }
      const run = new Engine().start(Stopped);
      const events = collect(run.events$);
      await delay(15);
      expect(run.running().sort()).toEqual(['control', 'long']);
      const result = await run.stop('enough');
      expect(result.status).toBe('aborted');
      expect(result.steps.long).toMatchObject({ status: 'aborted', error: { code: 'RUN_STOPPED' } });
      expect(result.steps.control?.status).toBe('aborted');
      expect(events[events.length - 1]?.type).toBe('run.aborted');
    });
  });
});

// The pattern as README.md shows it, word for word.
describe('the "rerun until good enough" pattern of the README', () => {
  @Task({ name: 'train', params: { lr: 0.001, epochs: 5 } })
  class Train {
    async execute(ctx: StepContext<{ lr: number; epochs: number }>) {
      // Stands in for real training: more epochs and a larger learning rate score higher here.
      const accuracy = Math.min(0.99, 0.5 + ctx.params.epochs * 0.02 + Math.log10(ctx.params.lr * 1000) * 0.1);
      return { accuracy };
    }
  }

  @Pipeline({ name: 'until-good-enough', params: { target: 0.9, maxRounds: 6 } })
  class UntilGoodEnough {
    @Step()
    async tune(ctx: StepContext) {
      const target = ctx.pipeline.params.target as number;
      let params = { lr: 0.001, epochs: 5 };
      for (let round = 1; round <= (ctx.pipeline.params.maxRounds as number); round++) {
        const { accuracy } = await ctx.spawn(Train, { name: `train-${round}`, params });
        ctx.metric('accuracy', accuracy);
        if (accuracy >= target) return { round, accuracy, params };
        params = { lr: params.lr * 3, epochs: params.epochs + 5 }; // adjust, and go again
      }
      throw new Error(`no model reached ${target}`);
    }
  }

  it('spawns training rounds with adjusted params until the metric is good enough, then stops spawning', async () => {
    const run = new Engine().start(UntilGoodEnough);
    const events = collect(run.events$);
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    const tuned = result.steps.tune?.output as { round: number; accuracy: number; params: { lr: number; epochs: number } };
    expect(tuned).toMatchObject({ round: 4, accuracy: 0.99, params: { epochs: 20 } });
    expect(tuned.params.lr).toBeCloseTo(0.027, 6);
    expect(Object.keys(result.steps).sort()).toEqual(['train-1', 'train-2', 'train-3', 'train-4', 'tune']);
    expect((result.steps['train-1']?.output as { accuracy: number }).accuracy).toBeCloseTo(0.6);
    expect((result.steps['train-3']?.output as { accuracy: number }).accuracy).toBeLessThan(0.9);
    expect(events.filter((event) => event.type === 'step.metric').map((event) => event.step)).toEqual(['tune', 'tune', 'tune', 'tune']);
    expect(run.graph.childrenOf('tune')).toEqual(['train-1', 'train-2', 'train-3', 'train-4']);
  });

  it('fails the controller, and the run, when no round gets there', async () => {
    const result = await new Engine().run(UntilGoodEnough, { params: { target: 1, maxRounds: 3 } });
    expect(result.status).toBe('failed');
    expect(result.steps.tune?.error?.message).toBe('no model reached 1');
    expect(Object.keys(result.steps).filter((name) => name.startsWith('train-'))).toEqual(['train-1', 'train-2', 'train-3']);
  });

  it('works as a loop over engine.run too, one whole run per round', async () => {
    @Pipeline({ name: 'training-pipeline', params: { lr: 0.001 } })
    class TrainingPipeline {
      @Step({ template: Train, params: { lr: '${pipeline.lr}', epochs: 10 } })
      train!: Train;

      @Step({ parents: ['train'] })
      evaluate(ctx: StepContext) {
        return { accuracy: ctx.parents.train.accuracy as number };
      }
    }

    const engine = new Engine();
    let lr = 0.001;
    let result = await engine.run(TrainingPipeline, { params: { lr } });
    while ((result.steps.evaluate?.output as { accuracy: number }).accuracy < 0.9 && lr < 1) {
      lr *= 3;
      result = await engine.run(TrainingPipeline, { params: { lr } });
    }

    expect(lr).toBeCloseTo(0.243, 6);
    expect((result.steps.evaluate?.output as { accuracy: number }).accuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.status).toBe('succeeded');
  });
});
