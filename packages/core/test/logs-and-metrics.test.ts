import 'reflect-metadata';
import { AfterStep, Engine, Pipeline, Step, Task } from '@pipewright/core';
import type { PipelineEvent, RunResult, StepContext, StepResult } from '@pipewright/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

@Task({ name: 'lm-trainer', params: { epochs: 3 } })
class Trainer {
  async execute(ctx: StepContext<{ epochs: number }>): Promise<string> {
    for (let epoch = 1; epoch <= ctx.params.epochs; epoch++) {
      ctx.log(`epoch ${epoch}`);
      ctx.metric('loss', 1 / epoch);
      ctx.metric('epoch', epoch);
      await sleep(2);
    }
    return 'trained';
  }
}

@Pipeline({ name: 'lm-pipeline' })
class Logging {
  @Step({ template: Trainer })
  train!: Trainer;

  @Step()
  async parallel(ctx: StepContext): Promise<void> {
    ctx.log('parallel step line');
    ctx.metric('loss', 42);
    await sleep(3);
  }

  @Step({ retry: { retries: 1, minTimeout: 1 } })
  flaky(ctx: StepContext): string {
    ctx.log(`attempt ${ctx.attempt} starting`);
    ctx.metric('attempt', ctx.attempt);
    if (ctx.attempt === 1) throw new Error('first attempt fails');
    return 'ok';
  }

  @Step({ continueOnFail: true })
  failing(ctx: StepContext): never {
    ctx.log('about to fail');
    ctx.metric('progress', 0.5);
    throw new Error('failed after logging');
  }

  @Step()
  odd(ctx: StepContext): void {
    ctx.log(12345 as unknown as string);
  }

  @Step()
  silent(): string {
    return 'quiet';
  }

  @AfterStep()
  summarize(ctx: StepContext, result: StepResult): void {
    if (result.status === 'failed') ctx.log(`after-step: ${ctx.step} failed`);
  }
}

describe('logs and metrics', () => {
  const engine = new Engine();
  afterAll(() => engine.close());
  let result: RunResult;
  let events: PipelineEvent[];
  beforeAll(async () => {
    events = [];
    const run = engine.start(Logging);
    run.events$.subscribe((event) => events.push(event));
    result = await run.result;
  });

  const eventsOf = (step: string): PipelineEvent[] => events.filter((event) => 'step' in event && event.step === step);

  it('turn ctx.log into step.log events, in order, carrying the run, the step and the attempt', () => {
    const logs = eventsOf('train').filter((event) => event.type === 'step.log');
    expect(logs.map((event) => (event.type === 'step.log' ? event.message : ''))).toEqual(['epoch 1', 'epoch 2', 'epoch 3']);
    for (const event of logs) expect(event).toMatchObject({ runId: result.runId, step: 'train', attempt: 1, at: expect.any(Number) });
  });

  it('turn ctx.metric into step.metric events with every value reported', () => {
    const losses = eventsOf('train').flatMap((event) => (event.type === 'step.metric' && event.name === 'loss' ? [event.value] : []));
    expect(losses).toEqual([1, 1 / 2, 1 / 3]);
  });

  it('emit them between the step’s start and its end', () => {
    const types = eventsOf('train').map((event) => event.type);
    const started = types.indexOf('step.started');
    const ended = types.indexOf('step.succeeded');
    const firstLog = types.indexOf('step.log');
    const lastMetric = types.lastIndexOf('step.metric');
    expect(started).toBeLessThan(firstLog);
    expect(lastMetric).toBeLessThan(ended);
  });

  it('roll the lines up into the step result with their times', () => {
    const logs = result.steps.train?.logs ?? [];
    expect(logs.map((entry) => entry.message)).toEqual(['epoch 1', 'epoch 2', 'epoch 3']);
    const times = logs.map((entry) => entry.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(result.steps.train?.startedAt ?? Infinity);
  });

  it('keep the latest value of each metric in the step result', () => {
    expect(result.steps.train?.metrics).toEqual({ loss: 1 / 3, epoch: 3 });
  });

  it('keep each step’s logs and metrics apart, even for metrics of the same name', () => {
    expect(result.steps.parallel?.metrics).toEqual({ loss: 42 });
    expect(result.steps.parallel?.logs.map((entry) => entry.message)).toEqual(['parallel step line']);
  });

  it('keep the lines of every attempt, tagged with their attempt in the events', () => {
    expect(result.steps.flaky?.logs.map((entry) => entry.message)).toEqual(['attempt 1 starting', 'attempt 2 starting']);
    expect(result.steps.flaky?.metrics).toEqual({ attempt: 2 });
    const attempts = eventsOf('flaky').flatMap((event) => (event.type === 'step.log' ? [event.attempt] : []));
    expect(attempts).toEqual([1, 2]);
  });

  it('keep what a failed step logged before failing, and what an @AfterStep callback logged about it', () => {
    expect(result.steps.failing?.status).toBe('failed');
    expect(result.steps.failing?.logs.map((entry) => entry.message)).toEqual(['about to fail', 'after-step: failing failed']);
    expect(result.steps.failing?.metrics).toEqual({ progress: 0.5 });
  });

  it('record a non-string message as a string', () => {
    expect(result.steps.odd?.logs.map((entry) => entry.message)).toEqual(['12345']);
  });

  it('leave a step that reports nothing with empty logs and metrics', () => {
    expect(result.steps.silent?.logs).toEqual([]);
    expect(result.steps.silent?.metrics).toEqual({});
  });

  it('never share one collection between steps or runs', async () => {
    const again = await engine.run(Logging);
    expect(again.steps.train?.logs).toHaveLength(3);
    expect(result.steps.train?.logs).toHaveLength(3);
    expect(again.steps.silent?.logs).toEqual([]);
  });
});
