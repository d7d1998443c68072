/**
 * `npm run -w benchmarks profile -- <shape> <steps> [engine[:store]]`: runs one measurement
 * (`small` takes any steps argument and profiles 10-step runs in batches on a long-lived engine)
 * under `node --cpu-prof` and prints the functions with the most self time. The .cpuprofile
 * stays in the printed directory (open it in Chrome DevTools for the call tree).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { EngineName, StoreName } from './engines/engine-adapter';
import type { MeasurementSpec } from './measurement';
import { SMALL_BATCH } from './plan';
import { SMALL_STEPS } from './workload';
import type { Shape } from './workload';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const ROOT = resolve(__dirname, '..', '..');

/** Self time per function (name, file, line), heaviest first, in ms. */
export const selfTimes = (profile: CpuProfile): Array<{ fn: string; ms: number }> => {
  const byNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.startsWith('file://') ? relative(ROOT, url.slice(7)) : url;
    byNode.set(node.id, `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim());
  }
  const totals = new Map<string, number>();
  profile.samples.forEach((id, k) => {
    const fn = byNode.get(id) ?? '?';
    totals.set(fn, (totals.get(fn) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
  });
  return [...totals].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms);
};

const main = async (): Promise<void> => {
  const [shape = 'chain', steps = '100000', engineArg = 'pipewright'] = process.argv.slice(2);
  const [engine, store = 'memory'] = engineArg.split(':') as [EngineName, StoreName];
  // `small` is always 10 steps, in batches on a long-lived engine, as `npm run bench` measures it.
  const sized = shape === 'small' ? { steps: SMALL_STEPS, batch: SMALL_BATCH } : { steps: Number(steps) };
  const spec: MeasurementSpec = { engine, store, shape: shape as Shape, ...sized, warmup: 1, runs: 3 };
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-profile-'));
  await new Promise<void>((done, fail) => {
    const child = fork(join(__dirname, 'worker.ts'), [JSON.stringify(spec)], {
      execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--max-old-space-size=8192', '-r', require.resolve('ts-node/register/transpile-only'), '-r', require.resolve('tsconfig-paths/register')],
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    child.on('message', (reply) => process.stderr.write(`${JSON.stringify(reply)}\n`));
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`profiled worker exited with ${code}`))));
  });
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written to ${dir}`);
  const rows = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  const total = rows.reduce((sum, row) => sum + row.ms, 0);
  process.stdout.write(`${engineArg} ${shape} ${steps} (warm-up + 3 runs, TypeScript compilation included): ${join(dir, file)}\n`);
  for (const row of rows.slice(0, 30)) process.stdout.write(`${row.ms.toFixed(0).padStart(7)} ms ${((row.ms / total) * 100).toFixed(1).padStart(5)}%  ${row.fn}\n`);
};

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
