import 'reflect-metadata';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@pipewright/core';
import type { StepEvent } from '@pipewright/core';
import { BullMQExecutor } from '@pipewright/bullmq';
import { RemoteStall } from './fixtures/pipelines';
import { startAgentProcess } from './helpers/agent-process';
import type { AgentProcess } from './helpers/agent-process';
import { describeWithRedis, startRedis } from './helpers/redis-server';
import type { TestRedis } from './helpers/redis-server';

const waitFor = async (condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describeWithRedis()('an agent killed mid-step', () => {
  let redis: TestRedis;
  const agents: AgentProcess[] = [];
  let engine: Engine;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection }) });
    dir = mkdtempSync(join(tmpdir(), 'pw-stall-'));
  });

  afterAll(async () => {
    await engine?.close();
    await Promise.all(agents.map((agent) => agent.kill()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves its job to stall, and a second agent runs the step again to success', async () => {
    const short = { lockDuration: 1_000, stalledInterval: 300 };
    const doomed = await startAgentProcess({ port: redis.port, id: 'doomed', queues: ['fragile'], ...short });
    agents.push(doomed);
    const run = engine.start(RemoteStall, { params: { dir, ms: 60_000 } });
    const events: StepEvent[] = [];
    run.events$.subscribe((event) => 'step' in event && events.push(event));
    const doomedMarker = join(dir, `survive-${doomed.child.pid}`);
    await waitFor(() => existsSync(doomedMarker), 'the first agent to start the step');

    const rescuer = await startAgentProcess({ port: redis.port, id: 'rescuer', queues: ['fragile'], ...short });
    agents.push(rescuer);
    await doomed.kill();
    const result = await run.result;

    expect(result.status).toBe('succeeded');
    expect(result.steps.survive?.output).toEqual({ pid: rescuer.child.pid });
    expect(readdirSync(dir).sort()).toEqual([`survive-${doomed.child.pid}`, `survive-${rescuer.child.pid}`].sort());
    // The controller saw the stall and both agents, in order.
    const logs = events.flatMap((event) => (event.type === 'step.log' ? [event.message] : []));
    expect(logs).toEqual([
      `running in ${doomed.child.pid}`,
      expect.stringContaining('[stalled] agent doomed stopped renewing its lock'),
      `running in ${rescuer.child.pid}`,
    ]);
    // Each agent that took the attempt announced it with a step.started of its own.
    const starts = events.flatMap((event) => (event.type === 'step.started' ? [event.agent] : []));
    expect(starts).toEqual(['doomed', 'rescuer']);
    // One attempt, run twice: a lost agent is not a step failure.
    expect(result.steps.survive?.attempts).toBe(1);
  }, 30_000);
});
