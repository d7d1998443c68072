/**
 * `npm run bench`: engine overhead against a hand-written Promise floor and p-graph, on chain,
 * fan-out/fan-in and lattice DAGs. See benchmarks/README.md.
 */
import { cpus } from 'node:os';
import { parseCliOptions, USAGE } from './cli-options';
import { runDistributedBenchmark } from './distributed';
import { BenchmarkError } from './errors';
import { runBenchmarks, toJsonRow } from './harness';
import { formatTable } from './table';

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
  const rows = await runBenchmarks({
    ...bench,
    onProgress: (spec) => process.stderr.write(`… ${spec.engine}${spec.store === 'memory' ? '' : `:${spec.store}`} ${spec.shape} ${spec.steps}\n`),
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(rows.map(toJsonRow), null, 2)}\n`);
    for (const row of rows) if (row.samples.length > 0) process.stderr.write(`${JSON.stringify({ rssSamples: row.samples, engine: row.engine, steps: row.steps })}\n`);
    return;
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`Node ${process.version}, ${cpus().length} × ${cpu}; median of ${bench.runs} runs, each engine × workload in a fresh process\n\n`);
  process.stdout.write(`${formatTable(rows)}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchmarkError ? `${error.code}: ${error.message}` : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
