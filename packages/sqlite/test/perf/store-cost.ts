/**
 * What a SqliteStore costs the engine, in wall and CPU time: µs per step of a long chain (a fresh
 * engine and file per run, as `npm run bench` does) and ms per run of a 10-step chain on one
 * long-lived engine and store. Not a test: run it with
 * `TS_NODE_PROJECT=tsconfig.json TS_NODE_TRANSPILE_ONLY=1 node -r ts-node/register -r tsconfig-paths/register packages/sqlite/test/perf/store-cost.ts [chain <steps> <rounds> | short <runs> <rounds>] [memory]`.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePipeline, Engine, MemoryStore } from '@pipewright/core';
import type { PipelineDefinition, RunStore } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';

const [mode = 'chain', first = '10000', second = '3', storeName = 'sqlite'] = process.argv.slice(2);

const chain = (steps: number): PipelineDefinition => {
  const builder = definePipeline({ name: `chain-${steps}` });
  builder.addFunctionStep('s0', () => ({ depth: 1 }));
  for (let i = 1; i < steps; i++) {
    builder.addFunctionStep(`s${i}`, (ctx) => ({ depth: (ctx.parents[`s${i - 1}`] as { depth: number }).depth + 1 }), { parents: [`s${i - 1}`] });
  }
  return builder.build();
};

const median = (samples: readonly number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;

/** Wall and CPU time of `work`, in µs. */
const timed = async (work: () => Promise<void>): Promise<{ wall: number; cpu: number }> => {
  const started = process.hrtime.bigint();
  const usage = process.cpuUsage();
  await work();
  const used = process.cpuUsage(usage);
  return { wall: Number(process.hrtime.bigint() - started) / 1e3, cpu: used.user + used.system };
};

const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-store-cost-'));
  const makeStore = (name: string): RunStore => (storeName === 'memory' ? new MemoryStore() : new SqliteStore({ path: join(dir, `${name}.db`) }));
  const wall: number[] = [];
  const cpu: number[] = [];
  try {
    if (mode === 'chain') {
      const steps = Number(first);
      const definition = chain(steps);
      for (let round = 0; round < Number(second) + 1; round++) {
        const sample = await timed(async () => {
          const engine = new Engine({ store: makeStore(`chain-${round}`) });
          const result = await engine.run(definition);
          if (result.status !== 'succeeded') throw new Error(`chain run ${result.status}`);
          await engine.close();
        });
        // The first round warms the JIT up.
        if (round > 0) (wall.push(sample.wall / steps), cpu.push(sample.cpu / steps));
      }
      console.log(`${storeName} chain ${steps}: wall ${median(wall).toFixed(1)} µs/step (min ${Math.min(...wall).toFixed(1)}), cpu ${median(cpu).toFixed(1)} µs/step (min ${Math.min(...cpu).toFixed(1)})`);
    } else {
      const runs = Number(first);
      const definition = chain(10);
      const engine = new Engine({ store: makeStore('short') });
      for (let round = 0; round < Number(second) + 1; round++) {
        const sample = await timed(async () => {
          for (let run = 0; run < runs; run++) {
            const result = await engine.run(definition);
            if (result.status !== 'succeeded') throw new Error(`short run ${result.status}`);
          }
        });
        if (round > 0) (wall.push(sample.wall / runs / 1e3), cpu.push(sample.cpu / runs / 1e3));
      }
      await engine.close();
      console.log(`${storeName} 10-step run ×${runs}: wall ${median(wall).toFixed(3)} ms/run (min ${Math.min(...wall).toFixed(3)}), cpu ${median(cpu).toFixed(3)} ms/run (min ${Math.min(...cpu).toFixed(3)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

void main();
