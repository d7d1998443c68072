import 'reflect-metadata';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePipeline, Engine } from '@pipewright/core';
import type { PipelineEvent } from '@pipewright/core';
import { Agent, BullMQExecutor, DistributedError } from '@pipewright/bullmq';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { Nap, RemoteStall, RemoteUnserved, Square } from './fixtures/pipelines';
import { describeWithRedis, freePort, startRedis } from './helpers/redis-server';
import type { TestRedis } from './helpers/redis-server';

describeWithRedis()('the BullMQ executor', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('warns with a step.waiting event naming the queue when no agent serves it', async () => {
    const engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection, waitingWarningMs: 50 }) });
    try {
      const run = engine.start(RemoteUnserved);
      const waiting = await firstValueFrom(run.events$.pipe(filter((event: PipelineEvent) => event.type === 'step.waiting')));

      expect(waiting).toMatchObject({ type: 'step.waiting', step: 'orphan', queue: 'nobody', message: expect.stringContaining("queue 'nobody', which no agent serves") });
      expect(waiting.type === 'step.waiting' && waiting.waitedMs).toBeGreaterThanOrEqual(50);
      // Handed to the queue but taken by no agent: still queued, not running.
      expect(run.running()).toEqual([]);
      await run.stop('no agent will come');
    } finally {
      await engine.close();
    }
  });

  it('does not warn while an agent serves the queue, even when a step waits behind another', async () => {
    const agent = await Agent.start({ connection: redis.connection, queues: ['busy'], id: 'busy-agent', concurrency: 1 });
    const engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection, waitingWarningMs: 20 }) });
    try {
      const pipeline = definePipeline({ name: 'busy-queue', version: '1.0.0' })
        .addStep('a', Nap, { queue: 'busy', params: { ms: 120 } })
        .addStep('b', Nap, { queue: 'busy', params: { ms: 120 } })
        .build();
      const run = engine.start(pipeline);
      const events: PipelineEvent[] = [];
      run.events$.subscribe((event) => events.push(event));
      const result = await run.result;

      expect(result.status).toBe('succeeded');
      // One step waited ≥ 120 ms for the only slot, six times the warning delay, and yet:
      expect(events.filter((event) => event.type === 'step.waiting')).toEqual([]);
    } finally {
      await engine.close();
      await agent.close();
    }
  });

  it('runs template steps of a programmatic pipeline, but refuses its function steps with FUNCTION_STEP_NOT_REMOTE', async () => {
    const agent = await Agent.start({ connection: redis.connection, queues: ['built'] });
    const engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection }) });
    try {
      const pipeline = definePipeline({ name: 'built', version: '1.0.0' })
        .addStep('square', Square, { queue: 'built', params: { n: 6 } })
        .addFunctionStep('local', () => 'closure', { parents: ['square'], queue: 'built' })
        .build();
      const result = await engine.run(pipeline);

      expect(result.steps.square?.output).toMatchObject({ value: 36 });
      expect(result.steps.local?.error).toMatchObject({ name: 'DistributedError', code: 'FUNCTION_STEP_NOT_REMOTE', message: expect.stringContaining("Step 'local'") });
    } finally {
      await engine.close();
      await agent.close();
    }
  });

  it('fails a step with INVALID_QUEUE when its queue name has a colon', async () => {
    const engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection }) });
    try {
      const pipeline = definePipeline({ name: 'bad-queue' }).addStep('square', Square, { queue: 'gpu:1' }).build();
      const result = await engine.run(pipeline);

      expect(result.steps.square?.error).toMatchObject({ code: 'INVALID_QUEUE' });
    } finally {
      await engine.close();
    }
  });

  it('rejects steps still in flight with EXECUTOR_CLOSED when it closes', async () => {
    const executor = new BullMQExecutor({ connection: redis.connection });
    const engine = new Engine({ executor });
    const run = engine.start(RemoteUnserved);
    await firstValueFrom(run.events$.pipe(filter((event) => event.type === 'step.queued')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await executor.close();
    const result = await run.result;

    expect(result.steps.orphan?.error).toMatchObject({ code: 'EXECUTOR_CLOSED' });
    await engine.close();
  });

  it('lets a running step finish when its agent closes', async () => {
    const agent = await Agent.start({ connection: redis.connection, queues: ['fragile'], id: 'closing-agent' });
    const engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection }) });
    const dir = mkdtempSync(join(tmpdir(), 'pw-close-'));
    try {
      const run = engine.start(RemoteStall, { params: { dir, ms: 200 } });
      while (!existsSync(join(dir, `survive-${process.pid}`))) await new Promise((resolve) => setTimeout(resolve, 10));
      const closed = agent.close();
      const result = await run.result;
      await closed;

      expect(result.status).toBe('succeeded');
      expect(result.steps.survive?.output).toEqual({ pid: process.pid });
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('when Redis is unreachable', () => {
  it('fails the step with REDIS_UNAVAILABLE, and the run records it', async () => {
    const port = await freePort();
    const engine = new Engine({ executor: new BullMQExecutor({ connection: { host: '127.0.0.1', port }, connectTimeoutMs: 100 }) });
    try {
      const result = await engine.run(RemoteUnserved);

      expect(result.status).toBe('failed');
      expect(result.steps.orphan).toMatchObject({
        status: 'failed',
        error: { name: 'DistributedError', code: 'REDIS_UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${port} is unreachable`) },
      });
    } finally {
      await engine.close();
    }
  });

  it('Agent.start rejects with REDIS_UNAVAILABLE', async () => {
    const port = await freePort();
    const starting = Agent.start({ connection: { host: '127.0.0.1', port }, queues: ['default'], connectTimeoutMs: 100 });

    await expect(starting).rejects.toBeInstanceOf(DistributedError);
    await expect(starting).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
  });
});

describe('Agent.start', () => {
  const connection = { host: '127.0.0.1', port: 1 };

  it('rejects a module that cannot be loaded with MODULE_LOAD_FAILED, naming it', async () => {
    await expect(Agent.start({ connection, queues: ['default'], modules: ['./no/such/module.js'] })).rejects.toMatchObject({
      code: 'MODULE_LOAD_FAILED',
      message: expect.stringContaining("'./no/such/module.js'"),
    });
  });

  it('rejects an empty queue list, a bad queue name and a bad concurrency', async () => {
    await expect(Agent.start({ connection, queues: [] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(Agent.start({ connection, queues: ['a:b'] })).rejects.toMatchObject({ code: 'INVALID_QUEUE' });
    await expect(Agent.start({ connection, queues: ['a'], concurrency: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(Agent.start({ connection, queues: ['a'], lockDuration: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('lockDuration') });
    await expect(Agent.start({ connection, queues: ['a'], stalledInterval: 1.5 })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('stalledInterval') });
  });
});

describe('new BullMQExecutor', () => {
  it('rejects a waitingWarningMs that is not a positive number', () => {
    expect(() => new BullMQExecutor({ connection: { port: 1 }, waitingWarningMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
