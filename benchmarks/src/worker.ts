/**
 * One child process: measures one engine × workload and sends a {@link WorkerReply} to its
 * parent. A fresh process per measurement keeps JIT state, heap and peak RSS from leaking
 * between engines.
 */
import { BenchmarkError } from './errors';
import { adapterFor } from './engines/adapters';
import type { Measurement, MeasurementSpec, WorkerReply } from './measurement';
import { PeakRss } from './peak-rss';
import { Probe } from './probe';
import { SamplingProbe } from './sampling-probe';
import { buildWorkload } from './workload';

/** Collects garbage between runs when the process was started with `--expose-gc`. */
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

const measure = async (spec: MeasurementSpec): Promise<Measurement> => {
  const workload = buildWorkload(spec.shape, spec.steps);
  const sampling = spec.sampleEvery === undefined ? undefined : new SamplingProbe(workload, spec.sampleEvery);
  const probe = sampling ?? new Probe(workload);
  collect();
  const baseRssMb = PeakRss.currentMb();
  const peak = new PeakRss();
  peak.reset();
  const prepared = adapterFor(spec.engine, spec.store).prepare(workload, probe);
  const timesMs: number[] = [];
  try {
    for (let r = 0; r < spec.warmup + spec.runs; r++) {
      collect();
      probe.reset();
      const started = process.hrtime.bigint();
      const outcome = await prepared.run();
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      probe.verify((i) => outcome.outputOf(i)); // untimed, and on every run: warm-ups must be right too
      await outcome.dispose?.();
      if (r >= spec.warmup) timesMs.push(elapsedMs);
    }
  } finally {
    await prepared.close?.(); // even when a run failed: a database must not be left behind
  }
  return { edges: workload.edges, timesMs, peakRssMb: peak.peakMb(), baseRssMb, samples: sampling ? [...sampling.samples] : [] };
};

const reply = (message: WorkerReply): Promise<void> =>
  new Promise((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    }
  });

const main = async (): Promise<void> => {
  const spec = JSON.parse(process.argv[2] ?? '{}') as MeasurementSpec;
  try {
    await reply({ ok: true, measurement: await measure(spec) });
  } catch (error) {
    const code = error instanceof BenchmarkError ? error.code : 'WORKER_FAILED';
    await reply({ ok: false, code, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  process.exit(0);
};

void main();
