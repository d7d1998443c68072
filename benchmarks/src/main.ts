/**
 * `npm run bench`: engine overhead against a hand-written Promise floor and p-graph, on chain,
 * fan-out/fan-in and lattice DAGs, a 10-step DAG on a long-lived engine, and spawned fan-outs;
 * BullMQ throughput when redis-server is on $PATH; then the targets of issue 16 judged from
 * this same run. See benchmarks/README.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseCliOptions, USAGE } from './cli-options';
import { measureDistributed, runDistributedBenchmark } from './distributed';
import type { DistributedReport } from './distributed';
import { BenchmarkError } from './errors';
import { runBenchmarks, toJsonRow } from './harness';
import { formatTable } from './table';
import { judgeTargets } from './targets';
import { formatTargets } from './targets-table';

const main = async (): Promise<void> => {
  const argv = process.argv.slice(2);
  if (argv.includes('--distributed')) {
    process.exitCode = await runDistributedBenchmark(argv.filter((arg) => arg !== '--distributed'));
    return;
  }
  const parsed = parseCliOptions(argv);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { json, bench } = parsed;
  const started = Date.now();
  const rows = await runBenchmarks({
    ...bench,
    onProgress: (spec) =>
      process.stderr.write(`… ${spec.engine}${spec.store === 'memory' ? '' : `:${spec.store}`} ${spec.shape} ${spec.steps}${spec.batch ? ` (batches of ${spec.batch} runs)` : ''}\n`),
  });
  let distributed: DistributedReport | undefined;
  if (parsed.distributed) {
    process.stderr.write('… BullMQ throughput: 1 and 2 agents against raw BullMQ (packages/bullmq/bench/distributed.ts --json)\n');
    distributed = await measureDistributed();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const verdicts = judgeTargets(rows, distributed);
  if (parsed.targetsJson !== undefined) writeFileSync(parsed.targetsJson, `${JSON.stringify({ targets: verdicts, distributed: distributed ?? null }, null, 2)}\n`);
  if (json) {
    process.stdout.write(`${JSON.stringify(rows.map(toJsonRow), null, 2)}\n`);
    for (const row of rows) if (row.samples.length > 0) process.stderr.write(`${JSON.stringify({ rssSamples: row.samples, engine: row.engine, steps: row.steps })}\n`);
    if (!parsed.huge) process.stderr.write(`\n${formatTargets(verdicts)}\n`);
    return;
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `Node ${process.version}, ${cpus().length} × ${cpu}; median of ${bench.runs} runs (small: of ${bench.runs} batches), each engine × workload in a fresh process; ${minutes} min\n\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n`);
  if (distributed) {
    const perSecond = distributed.agents.map((row) => `${row.agents} agent${row.agents === 1 ? '' : 's'} ${Math.round(row.stepsPerSecond)} steps/s`).join(', ');
    process.stdout.write(`\nBullMQ: raw ${Math.round(distributed.rawJobsPerSecond)} jobs/s; ${perSecond}\n`);
  }
  if (!parsed.huge) process.stdout.write(`\n${formatTargets(verdicts)}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchmarkError ? `${error.code}: ${error.message}` : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
