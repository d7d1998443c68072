import 'reflect-metadata';
import { definePipeline, AfterStep, BeforeStep, Engine, Pipeline, Step } from '@pipewright/core';
import type { RunOptions, RunResult, StepContext, StepResult, StepStatus } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the callbacks saw, in order. Reset before each test. */
let journal: string[] = [];
let results: Array<[string, string, StepResult]> = [];
let statuses: Array<[string, StepStatus, StepStatus]> = [];

const onStatusChange = (ctx: StepContext, status: StepStatus, previous: StepStatus): void => {
  statuses.push([ctx.step, previous, status]);
};

beforeEach(() => {
  journal = [];
  results = [];
  statuses = [];
});

@Pipeline({ name: 'cb-every-step', params: { skipC: false } })
class EveryStep {
  /** Per-run state: hooks run on the run's own pipeline instance. */
  private readonly seenByThisRun: string[] = [];

  @Step({
    onStatusChange,
    preExecute: (ctx) => {
      journal.push(`preExecute:${ctx.step}:${String(ctx.params.factor)}`);
      return { factor: 3 };
    },
    postExecute: async (ctx, result) => {
      journal.push(`postExecute:${ctx.step}`);
      results.push(['postExecute', ctx.step, result]);
      // An async callback that takes time must not make the others see a different result.
      await sleep(5);
    },
    params: { factor: 1 },
  })
  async a(ctx: StepContext): Promise<number> {
    journal.push(`body:a:${String(ctx.params.factor)}`);
    ctx.log('a ran');
    ctx.metric('m', 1);
    await sleep(10);
    return 2 * (ctx.params.factor as number);
  }

  @Step({ parents: ['a'], onStatusChange })
  b(ctx: StepContext): number {
    journal.push('body:b');
    return (ctx.parents.a as number) + 1;
  }

  @Step({ parents: ['a'], onStatusChange, preExecute: (ctx) => (ctx.pipeline.params.skipC ? false : undefined) })
  c(): string {
    journal.push('body:c');
    return 'c';
  }

  @Step({ parents: ['c'], onStatusChange })
  d(): string {
    journal.push('body:d');
    return 'd';
  }

  @BeforeStep()
  before(ctx: StepContext): void {
    this.seenByThisRun.push(ctx.step);
    journal.push(`@BeforeStep:${ctx.step}:attempt ${ctx.attempt}:seen ${this.seenByThisRun.length}`);
  }

  @AfterStep()
  after(ctx: StepContext, result: StepResult): void {
    journal.push(`@AfterStep:${ctx.step}`);
    results.push(['@AfterStep', ctx.step, result]);
  }
}

const completedOptions: RunOptions = {
  onStepCreated: (ctx) => {
    journal.push(`onStepCreated:${ctx.step}`);
  },
  onStepCompleted: (ctx, result) => {
    journal.push(`onStepCompleted:${ctx.step}`);
    results.push(['onStepCompleted', ctx.step, result]);
  },
};

@Pipeline({ name: 'cb-outcomes' })
class Outcomes {
  @Step({ continueOnFail: true })
  fails(): never {
    throw new Error('body failed');
  }

  @Step({ continueOnFail: true, timeoutMs: 20 })
  async timesOut(ctx: StepContext): Promise<string> {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return 'late';
  }

  @Step({ parents: ['fails'] })
  childOfFailed(): string {
    return 'never';
  }

  @Step()
  ok(): string {
    return 'fine';
  }
}

@Pipeline({ name: 'cb-skip-by-before-step' })
class SkipByBeforeStep {
  @Step({ onStatusChange })
  keep(): string {
    journal.push('body:keep');
    return 'kept';
  }

  @Step({ onStatusChange })
  drop(): string {
    journal.push('body:drop');
    return 'dropped';
  }

  @Step({ parents: ['drop'], onStatusChange })
  child(): string {
    journal.push('body:child');
    return 'child';
  }

  @Step({ parents: ['child'] })
  grandchild(): string {
    journal.push('body:grandchild');
    return 'grandchild';
  }

  @BeforeStep()
  gate(ctx: StepContext): boolean {
    return ctx.step !== 'drop';
  }

  @AfterStep()
  after(ctx: StepContext): void {
    journal.push(`@AfterStep:${ctx.step}`);
  }
}

/** One pipeline per throwing callback: the step it throws in, `target`, must fail with CALLBACK_FAILED. */
const throwingPipeline = (name: string, options: { before?: boolean; after?: boolean; step?: Parameters<typeof Step>[0] }) => {
  @Pipeline({ name })
  class Throwing {
    /** Holds `target` back until `sibling` is running, so the failure finds it running. */
    @Step()
    async first(): Promise<void> {
      await sleep(10);
    }

    @Step({ ...options.step, parents: ['first'] })
    async target(): Promise<string> {
      journal.push('body:target');
      return 'target output';
    }

    @Step({ parents: ['target'] })
    child(): string {
      journal.push('body:child');
      return 'child';
    }

    @Step()
    async sibling(): Promise<string> {
      await sleep(40);
      return 'sibling';
    }

    @BeforeStep()
    before(ctx: StepContext): void {
      if (options.before && ctx.step === 'target') throw new Error('before broke');
    }

    @AfterStep()
    async after(ctx: StepContext): Promise<void> {
      if (options.after && ctx.step === 'target') throw new Error('after broke');
    }
  }
  return Throwing;
};

describe('callbacks', () => {
  const engine = new Engine();
  afterAll(() => engine.close());

  describe('on a run where every step succeeds', () => {
    let result: RunResult;
    beforeEach(async () => {
      result = await engine.run(EveryStep, completedOptions);
    });

    it('call onStepCreated, @BeforeStep and preExecute before the body, then postExecute, @AfterStep and onStepCompleted after it', () => {
      const forA = journal.filter((line) => /:a(:|$)/.test(line));
      expect(forA).toEqual([
        'onStepCreated:a',
        '@BeforeStep:a:attempt 0:seen 1',
        'preExecute:a:1',
        'body:a:3',
        'postExecute:a',
        '@AfterStep:a',
        'onStepCompleted:a',
      ]);
    });

    it('call @BeforeStep and @AfterStep on the run’s own pipeline instance for every step, and onStepCreated/onStepCompleted for every step', () => {
      for (const step of ['a', 'b', 'c', 'd']) {
        expect(journal.filter((line) => line.startsWith(`onStepCreated:${step}`))).toHaveLength(1);
        expect(journal.filter((line) => line.startsWith(`@BeforeStep:${step}`))).toHaveLength(1);
        expect(journal.filter((line) => line === `@AfterStep:${step}`)).toHaveLength(1);
        expect(journal.filter((line) => line === `onStepCompleted:${step}`)).toHaveLength(1);
      }
      expect(journal.filter((line) => line.startsWith('@BeforeStep:')).map((line) => line.split(':seen ')[1])).toEqual(['1', '2', '3', '4']);
    });

    it('let an object returned by preExecute override the step params', () => {
      expect(result.steps.a?.output).toBe(6);
      expect(result.steps.b?.output).toBe(7);
    });

    it('give postExecute, @AfterStep and onStepCompleted the same result, which is the one the run records', () => {
      const forA = results.filter(([, step]) => step === 'a');
      expect(forA.map(([callback]) => callback)).toEqual(['postExecute', '@AfterStep', 'onStepCompleted']);
      const [post, after, completed] = forA.map(([, , stepResult]) => stepResult);
      expect(after).toEqual(post);
      expect(completed).toEqual(post);
      expect(post).toEqual(result.steps.a);
      expect(post).toMatchObject({ status: 'succeeded', output: 6, attempts: 1, error: undefined, metrics: { m: 1 } });
      expect(post?.logs.map((entry) => entry.message)).toEqual(['a ran']);
    });

    it('report every status change with the previous status, in order', () => {
      const forA = statuses.filter(([step]) => step === 'a').map(([, previous, status]) => `${previous}→${status}`);
      expect(forA).toEqual(['pending→queued', 'queued→running', 'running→succeeded']);
      expect(statuses.filter(([step]) => step === 'd').map(([, previous, status]) => `${previous}→${status}`)).toEqual([
        'pending→queued',
        'queued→running',
        'running→succeeded',
      ]);
    });
  });

  describe('that skip a step', () => {
    it('skip it when preExecute returns false, and skip its descendants, without calling after-callbacks for them', async () => {
      const result = await engine.run(EveryStep, { ...completedOptions, params: { skipC: true } });
      expect(result.status).toBe('succeeded');
      expect(result.steps.c?.status).toBe('skipped');
      expect(result.steps.c?.error?.code).toBe('SKIPPED_BY_CALLBACK');
      expect(result.steps.c?.error?.message).toContain('preExecute');
      expect(result.steps.d?.status).toBe('skipped');
      expect(journal).not.toContain('body:c');
      expect(journal).not.toContain('body:d');
      expect(journal.filter((line) => /^(postExecute|@AfterStep|onStepCompleted):[cd]$/.test(line))).toEqual([]);
      expect(statuses.filter(([step]) => step === 'c').map(([, previous, status]) => `${previous}→${status}`)).toEqual(['pending→skipped']);
      expect(statuses.filter(([step]) => step === 'd').map(([, previous, status]) => `${previous}→${status}`)).toEqual(['pending→skipped']);
      expect(result.steps.b?.status).toBe('succeeded');
    });

    it('skip it when a @BeforeStep method returns false, and its descendants, while the others run', async () => {
      const result = await engine.run(SkipByBeforeStep);
      expect(result.status).toBe('succeeded');
      expect(result.steps.drop?.status).toBe('skipped');
      expect(result.steps.drop?.error?.message).toContain('@BeforeStep gate()');
      expect(result.steps.child?.status).toBe('skipped');
      expect(result.steps.grandchild?.status).toBe('skipped');
      expect(result.steps.keep?.output).toBe('kept');
      expect(journal.sort()).toEqual(['@AfterStep:keep', 'body:keep']);
      expect(statuses.filter(([step]) => step === 'child').map(([, previous, status]) => `${previous}→${status}`)).toEqual(['pending→skipped']);
    });

    it('skip it when onStepCreated returns false', async () => {
      const result = await engine.run(SkipByBeforeStep, { onStepCreated: (ctx) => ctx.step !== 'keep' });
      expect(result.steps.keep?.status).toBe('skipped');
      expect(result.steps.keep?.error?.message).toContain('onStepCreated');
      expect(journal).not.toContain('body:keep');
    });
  });

  describe('whatever the outcome', () => {
    it('call onStepCompleted, postExecute and @AfterStep once per step that ran, failed or was aborted, never for skipped ones', async () => {
      const completed: Array<[string, StepStatus, string | undefined]> = [];
      const result = await engine.run(Outcomes, {
        onStepCompleted: (ctx, stepResult) => {
          completed.push([ctx.step, stepResult.status, stepResult.error?.code]);
        },
      });
      expect(result.steps.childOfFailed?.status).toBe('skipped');
      expect(completed.sort()).toEqual([
        ['fails', 'failed', undefined],
        ['ok', 'succeeded', undefined],
        ['timesOut', 'aborted', 'STEP_TIMEOUT'],
      ]);
    });
  });

  describe('that throw', () => {
    const cases: Array<[string, Parameters<typeof throwingPipeline>[1], RunOptions, RegExp, boolean]> = [
      ['onStepCreated', {}, { onStepCreated: (ctx) => { if (ctx.step === 'target') throw new Error('created broke'); } }, /onStepCreated of step 'target' threw: created broke/, false],
      ['@BeforeStep', { before: true }, {}, /@BeforeStep before\(\) of step 'target' threw: before broke/, false],
      ['preExecute', { step: { preExecute: () => Promise.reject(new Error('pre broke')) } }, {}, /preExecute of step 'target' threw: pre broke/, false],
      ['postExecute', { step: { postExecute: () => { throw new Error('post broke'); } } }, {}, /postExecute of step 'target' threw: post broke/, true],
      ['@AfterStep', { after: true }, {}, /@AfterStep after\(\) of step 'target' threw: after broke/, true],
      ['onStepCompleted', {}, { onStepCompleted: (ctx) => { if (ctx.step === 'target') throw new Error('completed broke'); } }, /onStepCompleted of step 'target' threw: completed broke/, true],
      [
        'onStatusChange (on running)',
        { step: { onStatusChange: (_ctx, status) => { if (status === 'running') throw new Error('status broke'); } } },
        {},
        /onStatusChange of step 'target' threw: status broke/,
        true,
      ],
      [
        'onStatusChange (on queued)',
        { step: { onStatusChange: (_ctx, status) => { if (status === 'queued') throw new Error('status broke'); } } },
        {},
        /onStatusChange of step 'target' threw: status broke/,
        false,
      ],
      [
        'onStatusChange (on succeeded)',
        { step: { onStatusChange: (_ctx, status) => { if (status === 'succeeded') throw new Error('status broke'); } } },
        {},
        /onStatusChange of step 'target' threw: status broke/,
        true,
      ],
    ];

    it.each(cases)('fail the step with CALLBACK_FAILED naming the callback when %s throws, and the run fails', async (label, options, runOptions, message, bodyRan) => {
      const result = await engine.run(throwingPipeline(`cb-throwing-${label}`, options), runOptions);
      const target = result.steps.target;
      expect(target?.status).toBe('failed');
      expect(target?.error?.code).toBe('CALLBACK_FAILED');
      expect(target?.error?.message).toMatch(message);
      expect(target?.output).toBeUndefined();
      expect(journal.includes('body:target')).toBe(bodyRan);
      expect(result.steps.child?.status).toBe('skipped');
      // Already running when the callback failed the run: it finishes.
      expect(result.steps.sibling?.status).toBe('succeeded');
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('CALLBACK_FAILED');
    });

    it('tell onStatusChange of the failure when it threw on succeeded (the success did not stand)', async () => {
      const seen: string[] = [];
      const definition = definePipeline({ name: 'cb-status-told-of-failure' })
        .addFunctionStep('target', () => 'ok', {
          onStatusChange: (_ctx, status, previous) => {
            seen.push(`${previous}→${status}`);
            if (status === 'succeeded') throw new Error('status broke');
          },
        })
        .build();
      const result = await engine.run(definition);
      expect(result.steps.target?.status).toBe('failed');
      expect(seen).toEqual(['pending→queued', 'queued→running', 'running→succeeded', 'running→failed']);
    });

    it('keep the step’s own error when a callback throws after the step already failed', async () => {
      @Pipeline({ name: 'cb-throw-after-failure' })
      class ThrowAfterFailure {
        @Step({ postExecute: () => { throw new Error('post broke'); } })
        target(): never {
          throw new Error('the real failure');
        }
      }
      const result = await engine.run(ThrowAfterFailure);
      expect(result.steps.target?.error).toMatchObject({ message: 'the real failure', name: 'Error' });
    });

    it('leave the engine and other runs going', async () => {
      const broken = throwingPipeline('cb-throwing-concurrent', { after: true });
      const [failed, fine] = await Promise.all([engine.run(broken), engine.run(EveryStep)]);
      expect(failed.status).toBe('failed');
      expect(fine.status).toBe('succeeded');
      const after = await engine.run(EveryStep);
      expect(after.status).toBe('succeeded');
    });
  });
});
