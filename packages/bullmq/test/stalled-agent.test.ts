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

const waitFor = async (condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Short locks so a killed agent's job stalls in about a second. */
const SHORT = { lockDuration: 1_000, stalledInterval: 300 };

describeWithRedis()('agents killed mid-step', () => {
  let redis: TestRedis;
  const agents: AgentProcess[] = [];
  let engine: Engine;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    engine = new Engine({ executor: new BullMQExecutor({ connection: redis.connection }) });
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pw-stall-'));
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.kill()));
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await engine?.close();
    await redis?.stop();
  });

  /**
   * Starts an agent, waits until the controller has seen it start the current attempt (not a
   * re-queued job of a lost attempt) and it has begun the step's work, then kills it with SIGKILL.
   */
  const killWhileRunning = async (id: string, events: readonly StepEvent[]): Promise<number> => {
    const agent = await startAgentProcess({ port: redis.port, id, queues: ['fragile'], ...SHORT });
    agents.push(agent);
    const pid = agent.child.pid as number;
    await waitFor(() => events.some((event) => event.type === 'step.started' && event.agent === id), `agent ${id} to take the attempt`);
    await waitFor(() => existsSync(join(dir, `survive-${pid}`)), `agent ${id} to begin the step`);
    await agent.kill();
    return pid;
  };

  it.each([
    [1, ['doomed-1']],
    [2, ['doomed-1', 'doomed-2']],
  ])('re-runs the step on another agent each time its agent dies (%i deaths): an attempt each, never a failed run', async (deaths, doomedIds) => {
    const run = engine.start(RemoteStall, { params: { dir, ms: 60_000, deaths } });
    const events: StepEvent[] = [];
    run.events$.subscribe((event) => 'step' in event && events.push(event));

    const doomedPids: number[] = [];
    for (const id of doomedIds) doomedPids.push(await killWhileRunning(id, events));
    const rescuer = await startAgentProcess({ port: redis.port, id: 'rescuer', queues: ['fragile'], ...SHORT });
    agents.push(rescuer);
    const result = await run.result;

    expect(result.status).toBe('succeeded');
    expect(result.steps.survive?.output).toEqual({ pid: rescuer.child.pid });
    // One attempt per agent that took the step: each lost agent failed one, under the retry policy.
    expect(result.steps.survive?.attempts).toBe(deaths + 1);
    expect(readdirSync(dir).sort()).toEqual([...doomedPids, rescuer.child.pid].map((pid) => `survive-${pid}`).sort());
    const starts = events.flatMap((event) => (event.type === 'step.started' ? [event.agent] : []));
    expect(starts).toEqual([...doomedIds, 'rescuer']);
    const retries = events.flatMap((event) => (event.type === 'step.retrying' ? [event.error.code] : []));
    expect(retries).toEqual(doomedIds.map(() => 'AGENT_LOST'));
    const stalls = events.flatMap((event) => (event.type === 'step.log' && event.message.startsWith('[stalled]') ? [event.message] : []));
    expect(stalls).toEqual(doomedIds.map((id) => expect.stringContaining(`[stalled] agent ${id} stopped renewing its lock on step 'survive'`)));
  }, 90_000);
});
