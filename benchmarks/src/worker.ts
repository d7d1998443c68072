/**
 * One child process: measures one engine × workload and sends a {@link WorkerReply} to its
 * parent. A fresh process per measurement keeps JIT state, heap and peak RSS from leaking
 * between engines.
 */
import { BenchmarkError } from './errors';
import { adapterFor } from './engines/adapters';
import type { RunOutcome } from './engines/engine-adapter';
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
  const batch = spec.batch ?? 1;
  const prepared = adapterFor(spec.engine, spec.store, spec.shape).prepare(workload, probe, { longLived: spec.batch !== undefined });
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  const outcomes: RunOutcome[] = new Array(batch);
  try {
    for (let r = 0; r < spec.warmup + spec.runs; r++) {
      // Not between batches on a long-lived engine: a forced full GC shrinks the young generation,
      // and the next batch then pays for scavenges a service that never calls gc() does not
      // (measured: 2.5-3.5x the time per 10-step run, for p-graph and Pipewright alike).
      if (spec.batch === undefined) collect();
      probe.reset();
      const cpuBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      for (let k = 0; k < batch; k++) outcomes[k] = await prepared.run();
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = process.cpuUsage(cpuBefore);
      probe.verifyAll(outcomes.map((outcome) => (i: number) => outcome.outputOf(i))); // untimed, and on every run: warm-ups must be right too
      for (const outcome of outcomes) await outcome.dispose?.();
      if (r >= spec.warmup) {
        timesMs.push(elapsedMs / batch);
        cpuMs.push((cpu.user + cpu.system) / 1000 / batch);
      }
    }
  } finally {
    await prepared.close?.(); // even when a run failed: a database must not be left behind
  }
  return { edges: workload.edges, timesMs, cpuMs, peakRssMb: peak.peakMb(), baseRssMb, samples: sampling ? [...sampling.samples] : [] };
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
