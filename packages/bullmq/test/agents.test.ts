import 'reflect-metadata';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, Pipeline, Step } from '@pipewright/core';
import type { PipelineEvent, StepEvent } from '@pipewright/core';
import { BullMQExecutor } from '@pipewright/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { firstValueFrom } from 'rxjs';
import { filter, toArray } from 'rxjs/operators';
import { RemoteBasics, RemoteFailure, RemoteFaults, RemoteStop, RemoteTimeout, RemoteUnserializable } from './fixtures/pipelines';
import { startAgentProcess } from './helpers/agent-process';
import type { AgentProcess } from './helpers/agent-process';
import { describeWithRedis, startRedis } from './helpers/redis-server';
import type { TestRedis } from './helpers/redis-server';

/** Declared here only: the agents never load this module, so they do not know this pipeline. */
@Pipeline({ name: 'controller-only', version: '1.0.0' })
class ControllerOnly {
  @Step()
  secret() {
    return 'should never run';
  }
}

const stepEvents = (events: PipelineEvent[], step: string): StepEvent[] =>
  events.filter((event): event is StepEvent => 'step' in event && event.step === step);

const waitFor = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describeWithRedis()('steps run on agent processes', () => {
  let redis: TestRedis;
  let agents: AgentProcess[] = [];
  let engine: Engine;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    agents = await Promise.all([
      startAgentProcess({ port: redis.port, id: 'cpu-agent', queues: ['default'], concurrency: 4 }),
      startAgentProcess({ port: redis.port, id: 'gpu-agent', queues: ['gpu'] }),
      startAgentProcess({ port: redis.port, id: 'slow-agent', queues: ['slow'], concurrency: 1 }),
    ]);
    engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection }) });
  }, 100_000); // three ts-node agents starting at once take long on a loaded machine

  afterAll(async () => {
    await engine?.close();
    await Promise.all(agents.map((agent) => agent.stop()));
    await redis?.stop();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pw-bullmq-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("returns every step's output to the controller, computed in the agents' processes", async () => {
    const result = await engine.run(RemoteBasics, { params: { base: 4 } });

    expect(result.status).toBe('succeeded');
    expect(result.steps.prepare?.output).toMatchObject({ base: 4 });
    expect(result.steps.square?.output).toMatchObject({ value: 16 });
    expect(result.steps.accelerate?.output).toMatchObject({ total: 17 });
    const pid = (result.steps.prepare?.output as { pid: number }).pid;
    expect(pid).not.toBe(process.pid);
    expect(pid).toBe(agents[0]?.child.pid);
  });

  it("relays the agent's logs and metrics into events$, tagged with the agent's id", async () => {
    const run = engine.start(RemoteBasics);
    const events = await firstValueFrom(run.events$.pipe(toArray()));

    const prepare = stepEvents(events, 'prepare');
    expect(prepare).toContainEqual(expect.objectContaining({ type: 'step.log', message: 'preparing', agent: 'cpu-agent' }));
    expect(prepare).toContainEqual(expect.objectContaining({ type: 'step.metric', name: 'rows', value: 42, agent: 'cpu-agent' }));
    // Started from afar: queued until the agent takes it, then `step.started` names the agent.
    expect(prepare).toContainEqual(expect.objectContaining({ type: 'step.started', attempt: 1, agent: 'cpu-agent' }));
    expect(prepare.map((event) => event.type).slice(0, 3)).toEqual(['step.created', 'step.queued', 'step.started']);
    // The agent's lines arrive before the step's completion.
    const types = prepare.map((event) => event.type);
    expect(types.indexOf('step.log')).toBeLessThan(types.indexOf('step.succeeded'));
    const result = await run.result;
    expect(result.steps.square?.logs.map((line) => line.message)).toContain('squaring 3');
    expect(result.steps.square?.metrics).toEqual({ n: 3 });
  });

  it("routes a 'gpu' step only to the agent that serves the gpu queue", async () => {
    const run = engine.start(RemoteBasics);
    const events = await firstValueFrom(run.events$.pipe(toArray()));
    const result = await run.result;

    expect((result.steps.accelerate?.output as { pid: number }).pid).toBe(agents[1]?.child.pid);
    const tagged = (step: string) => new Set(stepEvents(events, step).flatMap((event) => (event.agent ? [event.agent] : [])));
    expect(tagged('accelerate')).toEqual(new Set(['gpu-agent']));
    expect(tagged('prepare')).toEqual(new Set(['cpu-agent']));
  });

  it('stores artifacts put on an agent in the controller, and serves them to a later step on an agent', async () => {
    const result = await engine.run(RemoteBasics);

    expect(result.steps.store?.artifacts.model).toMatchObject({ name: 'model', step: 'store', size: 'weights-v1'.length });
    expect(result.steps.load?.output).toBe('weights-v1');
  });

  it('runs a step spawned from an agent as a new step of the run, and returns its output to the caller', async () => {
    const result = await engine.run(RemoteBasics);

    expect(result.steps.fanOut?.output).toBe(25);
    expect(result.steps.spawnedSquare).toMatchObject({ status: 'succeeded', output: { value: 25 } });
  });

  it("fails a step with the agent's error, keeping its message, name, code and the agent's stack", async () => {
    const result = await engine.run(RemoteFailure);

    expect(result.status).toBe('failed');
    const { stack, ...error } = result.steps.validate?.error ?? { stack: undefined };
    expect(error).toEqual({ message: 'rows must be positive', name: 'ValidationError', code: 'E_ROWS' });
    // Thrown on the agent, in the fixture's step: not the controller's own stack.
    expect(stack).toMatch(/^ValidationError: rows must be positive\n\s+at .*fixtures\/pipelines\.ts:\d+/);
  });

  it('retries a failing step with new attempts on the agents, as in-process', async () => {
    const run = engine.start(RemoteFaults, { params: { dir } });
    const retrying = firstValueFrom(run.events$.pipe(filter((event) => event.type === 'step.retrying'), toArray()));
    const result = await run.result;

    expect(result.steps.flaky).toMatchObject({ status: 'succeeded', attempts: 3, output: { attempt: 3 } });
    const withoutStacks = (await retrying).map((event) => (event.type === 'step.retrying' ? { ...event.error, stack: undefined } : undefined));
    expect(withoutStacks).toEqual([
      { message: 'flaky attempt 1', name: 'FlakyError', code: 'E_FLAKY', stack: undefined },
      { message: 'flaky attempt 2', name: 'FlakyError', code: 'E_FLAKY', stack: undefined },
    ]);
  });

  it("aborts a step on its agent when its timeout fires: the step is aborted with STEP_TIMEOUT and the agent's ctx.signal fires", async () => {
    const result = await engine.run(RemoteTimeout, { params: { dir } });

    expect(result.status).toBe('failed');
    expect(result.steps.hang).toMatchObject({ status: 'aborted', error: { code: 'STEP_TIMEOUT' } });
    await waitFor(() => existsSync(join(dir, 'hang-aborted')), "the agent's abort marker");
    expect(readFileSync(join(dir, 'hang-aborted'), 'utf8')).toBe('STEP_TIMEOUT');
  });

  it('fails a step whose output JSON cannot carry back, naming the offending path', async () => {
    const result = await engine.run(RemoteUnserializable);

    expect(result.steps.clock?.error).toMatchObject({ code: 'NOT_SERIALIZABLE', message: expect.stringContaining('output.at') });
  });

  it('stop() removes queued jobs and aborts the running step on its agent', async () => {
    const queue = new Queue('slow', { connection: redis.connection, prefix: 'pipewright' });
    try {
      const run = engine.start(RemoteStop, { params: { dir } });
      // The slow agent takes one step at a time: one runs, the other waits in the queue.
      await waitFor(() => readdirSync(dir).some((file) => file.endsWith('-started')), 'a step to start on the agent');
      await waitFor(() => run.running().length === 1, 'the agent to report its start');
      await waitFor(async () => (await queue.getWaitingCount()) === 1, 'the other step to wait in the queue');
      const started = readdirSync(dir).filter((file) => file.endsWith('-started'));
      expect(started).toHaveLength(1);
      const runningStep = started[0]?.replace('-started', '') ?? '';

      const result = await run.stop('test is done');

      expect(result.status).toBe('aborted');
      expect(result.steps.first).toMatchObject({ status: 'aborted', error: { code: 'RUN_STOPPED' } });
      expect(result.steps.second).toMatchObject({ status: 'aborted', error: { code: 'RUN_STOPPED' } });
      await waitFor(() => existsSync(join(dir, `${runningStep}-aborted`)), "the agent's abort marker");
      expect(readFileSync(join(dir, `${runningStep}-aborted`), 'utf8')).toBe('RUN_STOPPED');
      expect(await queue.getWaitingCount()).toBe(0);
      // The freed agent finds nothing more to run.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(readdirSync(dir).filter((file) => file.endsWith('-started'))).toEqual(started);
    } finally {
      await queue.close();
    }
  });

  it('refuses a step of a pipeline the agent has not registered, without running anything', async () => {
    const result = await engine.run(ControllerOnly);

    expect(result.status).toBe('failed');
    expect(result.steps.secret?.error).toMatchObject({
      name: 'DistributedError',
      code: 'UNKNOWN_PIPELINE',
      message: expect.stringContaining("no @Pipeline 'controller-only@1.0.0'"),
    });
  });

  it('fails a job whose payload is not a step request, or names code to load, with a clear error', async () => {
    const queue = new Queue('default', { connection: redis.connection, prefix: 'pipewright' });
    const events = new QueueEvents('default', { connection: redis.connection, prefix: 'pipewright' });
    try {
      await events.waitUntilReady();
      const garbage = await queue.add('x', { hello: 'world' });
      const smuggled = await queue.add('x', {
        runId: 'r',
        pipeline: { name: '../../../etc/passwd', version: 'require("child_process")', params: {} },
        step: 'constructor',
        params: {},
        parents: {},
        attempt: 1,
        queue: 'default',
      });
      const task = await queue.add('x', {
        runId: 'r',
        pipeline: { name: 'remote-basics', version: '1.0.0', params: {} },
        step: 'square',
        template: { kind: 'task', name: './evil-module', version: '1.0.0' },
        params: {},
        parents: {},
        attempt: 1,
        queue: 'default',
      });

      await expect(garbage.waitUntilFinished(events)).rejects.toThrow("The job's payload is not a step request: runId must be a string.");
      await expect(smuggled.waitUntilFinished(events)).rejects.toThrow("no @Pipeline '../../../etc/passwd@require(\"child_process\")'");
      await expect(task.waitUntilFinished(events)).rejects.toThrow("no @Task './evil-module@1.0.0'");
    } finally {
      await events.close();
      await queue.close();
    }
  });

  it('refuses a method name that is not a step of the pipeline', async () => {
    const queue = new Queue('default', { connection: redis.connection, prefix: 'pipewright' });
    const events = new QueueEvents('default', { connection: redis.connection, prefix: 'pipewright' });
    try {
      await events.waitUntilReady();
      const job = await queue.add('x', {
        runId: 'r',
        pipeline: { name: 'remote-basics', version: '1.0.0', params: {} },
        step: 'constructor',
        params: {},
        parents: {},
        attempt: 1,
        queue: 'default',
      });
      await expect(job.waitUntilFinished(events)).rejects.toThrow("has no method step 'constructor'");
    } finally {
      await events.close();
      await queue.close();
    }
  });
});
