import 'reflect-metadata';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, RunResult, StepContext } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Steps whose body began, in order; each describe resets it before its run. */
let started: string[] = [];

/**
 * `fails` fails at ~10 ms while `slow` is still running; `afterSlow` would become ready only
 * after the failure; `afterFails` depends on the failed step; `late` waits on a slow root.
 */
@Pipeline({ name: 'fp-default' })
class DefaultPolicy {
  @Step()
  async fails(): Promise<never> {
    started.push('fails');
    await sleep(10);
    throw new Error('boom');
  }

  @Step()
  async slow(ctx: StepContext): Promise<string> {
    started.push('slow');
    await sleep(40);
    return ctx.signal.aborted ? 'saw abort' : 'finished';
  }

  @Step({ parents: ['slow'] })
  afterSlow(): string {
    started.push('afterSlow');
    return 'never';
  }

  @Step({ parents: ['fails'] })
  afterFails(): string {
    started.push('afterFails');
    return 'never';
  }
}

@Pipeline({ name: 'fp-continue' })
class ContinuePolicy {
  @Step({ continueOnFail: true })
  async flaky(): Promise<never> {
    await sleep(5);
    throw new Error('flaky failed');
  }

  @Step({ parents: ['flaky'] })
  child(): string {
    started.push('child');
    return 'never';
  }

  @Step({ parents: ['child'] })
  grandchild(): string {
    started.push('grandchild');
    return 'never';
  }

  @Step()
  async other(): Promise<string> {
    await sleep(15);
    return 'other';
  }

  @Step({ parents: ['other'] })
  afterOther(): string {
    started.push('afterOther');
    return 'after other';
  }

  @Step({ parents: ['flaky', 'other'] })
  join(): string {
    started.push('join');
    return 'never';
  }
}

@Pipeline({ name: 'fp-children-run' })
class ChildrenRun {
  @Step()
  ok(): { n: number } {
    return { n: 1 };
  }

  @Step({ continueOnFail: true, skipChildrenOnFail: false })
  optional(): never {
    throw new Error('optional failed');
  }

  @Step({ parents: ['ok', 'optional'] })
  child(ctx: StepContext): unknown {
    return { hasKey: 'optional' in ctx.parents, optional: ctx.parents.optional, ok: ctx.parents.ok };
  }

  @Step({ parents: ['child'] })
  grandchild(ctx: StepContext): unknown {
    return ctx.parents.child;
  }
}

let abortedSeen: Array<[string, unknown]> = [];
let ignoringReturned = false;

@Pipeline({ name: 'fp-abort-on-failure', abortOnFailure: true })
class AbortOnFailure {
  @Step()
  async fails(): Promise<never> {
    await sleep(10);
    throw new Error('fatal');
  }

  @Step()
  async listening(ctx: StepContext): Promise<string> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        abortedSeen.push(['listening', (ctx.signal.reason as { code?: string }).code]);
        resolve();
      });
    });
    return 'late';
  }

  @Step()
  async ignoring(ctx: StepContext): Promise<string> {
    await sleep(80);
    ignoringReturned = true;
    ctx.log('too late');
    return 'ignored the signal';
  }

  @Step({ parents: ['listening'] })
  after(): string {
    return 'never';
  }
}

@Pipeline({ name: 'fp-abort-on-failure-continue', abortOnFailure: true })
class AbortOnFailureButContinue {
  @Step({ continueOnFail: true })
  async tolerated(): Promise<never> {
    await sleep(5);
    throw new Error('tolerated');
  }

  @Step()
  async running(ctx: StepContext): Promise<string> {
    await sleep(30);
    return ctx.signal.aborted ? 'aborted' : 'finished';
  }
}

const typesOf = (events: PipelineEvent[], step: string): string[] =>
  events.filter((event) => 'step' in event && event.step === step).map((event) => event.type);

describe('failure policy', () => {
  const engine = new Engine();
  afterAll(() => engine.close());

  describe('by default, a failed step fails the run', () => {
    let result: RunResult;
    let events: PipelineEvent[];
    beforeAll(async () => {
      started = [];
      events = [];
      const run = engine.start(DefaultPolicy);
      run.events$.subscribe((event) => events.push(event));
      result = await run.result;
    });

    it('ends the run failed, with an error naming the step and its message', () => {
      expect(result.status).toBe('failed');
      expect(result.steps.fails?.status).toBe('failed');
      expect(result.error?.message).toContain("'fails'");
      expect(result.error?.message).toContain('boom');
      expect(events.at(-1)?.type).toBe('run.failed');
    });

    it('lets steps already running finish with their own outcome, unaborted', () => {
      expect(result.steps.slow?.status).toBe('succeeded');
      expect(result.steps.slow?.output).toBe('finished');
    });

    it('starts no new step, and marks every step not started skipped', () => {
      expect(started.sort()).toEqual(['fails', 'slow']);
      expect(result.steps.afterSlow?.status).toBe('skipped');
      expect(result.steps.afterSlow?.attempts).toBe(0);
      expect(result.steps.afterFails?.status).toBe('skipped');
      expect(result.steps.afterFails?.error?.message).toContain("'fails'");
      expect(typesOf(events, 'afterSlow')).toEqual(['step.skipped']);
    });
  });

  describe('continueOnFail', () => {
    let result: RunResult;
    beforeAll(async () => {
      started = [];
      result = await engine.run(ContinuePolicy);
    });

    it('keeps the run successful although the step failed', () => {
      expect(result.status).toBe('succeeded');
      expect(result.error).toBeUndefined();
      expect(result.steps.flaky?.status).toBe('failed');
      expect(result.steps.flaky?.error?.message).toBe('flaky failed');
    });

    it("skips the failed step's descendants, including a join with a successful parent", () => {
      expect(result.steps.child?.status).toBe('skipped');
      expect(result.steps.grandchild?.status).toBe('skipped');
      expect(result.steps.join?.status).toBe('skipped');
      expect(started).not.toContain('child');
      expect(started).not.toContain('join');
    });

    it('lets unrelated branches go on, including steps that become ready after the failure', () => {
      expect(result.steps.afterOther?.output).toBe('after other');
    });
  });

  describe('skipChildrenOnFail: false (with continueOnFail)', () => {
    it('lets the children run with that parent’s output undefined', async () => {
      const result = await engine.run(ChildrenRun);
      expect(result.status).toBe('succeeded');
      expect(result.steps.optional?.status).toBe('failed');
      expect(result.steps.child?.output).toEqual({ hasKey: true, optional: undefined, ok: { n: 1 } });
      expect(result.steps.grandchild?.status).toBe('succeeded');
    });
  });

  describe('@Pipeline({ abortOnFailure: true })', () => {
    let result: RunResult;
    let events: PipelineEvent[];
    beforeAll(async () => {
      abortedSeen = [];
      ignoringReturned = false;
      events = [];
      const run = engine.start(AbortOnFailure);
      run.events$.subscribe((event) => events.push(event));
      result = await run.result;
    });

    it('aborts the steps still running at once: their ctx.signal fires and they end aborted', () => {
      expect(abortedSeen).toEqual([['listening', 'ABORTED_ON_FAILURE']]);
      expect(result.steps.listening?.status).toBe('aborted');
      expect(result.steps.listening?.error?.code).toBe('ABORTED_ON_FAILURE');
      expect(result.steps.listening?.output).toBeUndefined();
      expect(typesOf(events, 'listening').at(-1)).toBe('step.aborted');
    });

    it('does not wait for a step that ignores its signal, and drops what it does afterwards', async () => {
      expect(ignoringReturned).toBe(false);
      expect(result.steps.ignoring?.status).toBe('aborted');
      await sleep(100);
      expect(ignoringReturned).toBe(true);
      expect(result.steps.ignoring?.output).toBeUndefined();
      expect(result.steps.ignoring?.logs).toEqual([]);
    });

    it("fails the run with the failed step's error and skips what had not started", () => {
      expect(result.status).toBe('failed');
      expect(result.error?.message).toContain('fatal');
      expect(result.steps.fails?.status).toBe('failed');
      expect(result.steps.after?.status).toBe('skipped');
    });

    it('does not abort anything for a failure under continueOnFail', async () => {
      const tolerant = await engine.run(AbortOnFailureButContinue);
      expect(tolerant.status).toBe('succeeded');
      expect(tolerant.steps.running?.output).toBe('finished');
    });
  });
});
