import type { EngineChoice } from './engines/engine-adapter';
import type { MeasurementSpec } from './measurement';
import { SMALL_STEPS, WORKLOADS } from './workload';
import type { Shape } from './workload';

/** Runs per timed batch of the `small` workload, by default. */
export const SMALL_BATCH = 2_000;

/** What to measure, as the command line chose it. */
export interface PlanOptions {
  readonly shapes: readonly Shape[];
  readonly sizes: readonly number[];
  readonly engines: readonly EngineChoice[];
  readonly runs: number;
  /** Warm-up runs (batches for `small`); by default 2 below 100 000 steps and 1 from there. */
  readonly warmup?: number;
  /** Runs per timed batch of the `small` workload; {@link SMALL_BATCH} by default. */
  readonly smallBatch?: number;
  /** Sample RSS every this many steps (`--huge`). */
  readonly sampleEvery?: number;
}

const canSpawn = (choice: EngineChoice): boolean => choice.engine === 'pipewright';
/** The Postgres row has no long-lived mode: a fresh schema per run is what it measures. */
const canLiveLong = (choice: EngineChoice): boolean => choice.store !== 'postgres';

/**
 * Every measurement of one `npm run bench`, in table order (workloads as {@link WORKLOADS}
 * lists them, then sizes, then engines): `small` once per engine (10 steps, in batches on a
 * long-lived engine; not on Postgres), `spawn` at every size on Pipewright's stores only, the
 * static shapes at every size on every engine.
 */
export const planMeasurements = (options: PlanOptions): MeasurementSpec[] => {
  const specs: MeasurementSpec[] = [];
  const base = (steps: number): Pick<MeasurementSpec, 'steps' | 'runs' | 'warmup'> => ({
    steps,
    runs: options.runs,
    warmup: options.warmup ?? (steps >= 100_000 ? 1 : 2),
  });
  for (const shape of WORKLOADS.filter((w) => options.shapes.includes(w))) {
    if (shape === 'small') {
      for (const { engine, store } of options.engines.filter(canLiveLong)) {
        specs.push({ engine, store, shape, ...base(SMALL_STEPS), batch: options.smallBatch ?? SMALL_BATCH });
      }
      continue;
    }
    const engines = shape === 'spawn' ? options.engines.filter(canSpawn) : options.engines;
    for (const steps of options.sizes) {
      for (const { engine, store } of engines) {
        specs.push({ engine, store, shape, ...base(steps), ...(options.sampleEvery !== undefined ? { sampleEvery: options.sampleEvery } : {}) });
      }
    }
  }
  return specs;
};
