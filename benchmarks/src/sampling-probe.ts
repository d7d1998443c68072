import { Probe } from './probe';
import type { Workload } from './workload';

/** One reading of the resident set during a run. */
export interface RssSample {
  /** Steps run when the sample was taken. */
  readonly steps: number;
  readonly rssMb: number;
}

/**
 * A probe that also samples RSS every `every` steps, from inside the run: the runs are
 * microtask-driven, so a timer would not fire until they end.
 */
export class SamplingProbe extends Probe {
  readonly samples: RssSample[] = [];

  constructor(
    workload: Workload,
    private readonly every: number,
  ) {
    super(workload);
  }

  override reset(): void {
    super.reset();
    this.samples.length = 0;
  }

  protected override counted(stepsRun: number): void {
    if (stepsRun % this.every === 0) this.samples.push({ steps: stepsRun, rssMb: process.memoryUsage.rss() / (1024 * 1024) });
  }
}
