import type { EngineName, StoreName } from './engines/engine-adapter';
import type { RssSample } from './sampling-probe';
import type { Shape } from './workload';

/** What the parent asks one child process to measure. */
export interface MeasurementSpec {
  readonly engine: EngineName;
  readonly store: StoreName;
  readonly shape: Shape;
  readonly steps: number;
  /** Runs discarded before measuring. */
  readonly warmup: number;
  /** Runs measured; the median is quoted. */
  readonly runs: number;
  /** Sample RSS every this many steps during each run (`--huge`). */
  readonly sampleEvery?: number;
  /**
   * Runs per timed measurement, one after another on one long-lived engine (the `small`
   * workload); each figure is the batch's total ÷ `batch`. 1 (a fresh engine per run) if absent.
   */
  readonly batch?: number;
}

/** What the child reports back. */
export interface Measurement {
  readonly edges: number;
  /** Wall time of one run, per measured run (per run of the batch, averaged over it). */
  readonly timesMs: readonly number[];
  /** CPU time (user + system, every thread of the process) of one run, measured as `timesMs`. */
  readonly cpuMs: readonly number[];
  /** Peak resident set from the baseline on (engine preparation and every run, warm-ups included). */
  readonly peakRssMb: number;
  /** Resident set after loading modules and building the workload, before the engine prepared anything. */
  readonly baseRssMb: number;
  /** RSS during the last measured run, when `sampleEvery` was given. */
  readonly samples: readonly RssSample[];
}

/** The child's one message: a measurement, or why there is none. */
export type WorkerReply = { readonly ok: true; readonly measurement: Measurement } | { readonly ok: false; readonly code: string; readonly message: string };

/** The median of a non-empty list. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
