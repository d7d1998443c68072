/**
 * µs per step of a 1 000-step chain, MemoryStore against SqliteStore. Not a test: run it with
 * `TS_NODE_PROJECT=tsconfig.json node -r ts-node/register -r tsconfig-paths/register packages/sqlite/test/perf/step-cost.ts`.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePipeline, Engine, MemoryStore } from '@pipewright/core';
import type { PipelineDefinition, RunStore } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';

const STEPS = Number(process.env.STEPS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const chain = (steps: number): PipelineDefinition => {
  const builder = definePipeline({ name: 'chain' });
  builder.addFunctionStep('s0', () => ({ depth: 1 }));
  for (let i = 1; i < steps; i++) {
    builder.addFunctionStep(`s${i}`, (ctx) => ({ depth: (ctx.parents[`s${i - 1}`] as { depth: number }).depth + 1 }), { parents: [`s${i - 1}`] });
  }
  return builder.build();
};

const measure = async (label: string, makeStore: () => RunStore): Promise<number> => {
  const definition = chain(STEPS);
  const engine = new Engine({ store: makeStore() });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const result = await engine.run(definition);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e3;
    const used = process.cpuUsage(usage);
    if (result.status !== 'succeeded') throw new Error(`${label}: run ${result.status}`);
    wall.push(elapsed / STEPS);
    cpu.push((used.user + used.system) / STEPS);
  }
  await engine.close();
  const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
  // CPU time as well as wall time: on a shared machine, wall time mostly measures the neighbours.
  console.log(
    `${label.padEnd(17)} wall median ${median(wall).toFixed(1)} µs/step (min ${Math.min(...wall).toFixed(1)})  cpu median ${median(cpu).toFixed(1)} µs/step (min ${Math.min(...cpu).toFixed(1)})  [${ROUNDS} runs of ${STEPS} steps]`,
  );
  return median(wall);
};

const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-bench-'));
  try {
    const memory = await measure('MemoryStore', () => new MemoryStore());
    const outcome = await measure('Sqlite (outcome)', () => new SqliteStore({ path: join(dir, 'outcome.db') }));
    const every = await measure('Sqlite (event)', () => new SqliteStore({ path: join(dir, 'event.db'), commitEvery: 'event' }));
    console.log(`over MemoryStore: commitEvery 'outcome' +${(outcome - memory).toFixed(1)} µs/step, 'event' +${(every - memory).toFixed(1)} µs/step`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

void main();
