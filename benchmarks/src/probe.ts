import { BenchmarkError } from './errors';
import type { Workload } from './workload';

/** What every step returns: a small object built from its parents' outputs. */
export interface StepOutput {
  readonly i: number;
  readonly depth: number;
}

const isOutput = (value: unknown): value is StepOutput =>
  typeof value === 'object' && value !== null && typeof (value as StepOutput).i === 'number';

/**
 * The work of every step, shared by all engines, and the check that a run computed the right
 * thing: a benchmark that drops a step or an output is worthless, so it fails loudly instead.
 *
 * A step counts its call, checks that each parent's output is the one of that parent, and
 * returns `{ i, depth }` with depth one more than its deepest parent's.
 */
export class Probe {
  private readonly calls: Uint32Array;
  private misses = 0;
  private stepsRun = 0;
  private firstMiss = '';

  constructor(readonly workload: Workload) {
    this.calls = new Uint32Array(workload.steps);
  }

  /** Forgets the previous run. */
  reset(): void {
    this.calls.fill(0);
    this.misses = 0;
    this.stepsRun = 0;
    this.firstMiss = '';
  }

  /** Step `i`, given its parents' outputs in the order of `workload.parents[i]`. */
  step(i: number, parentOutputs: ArrayLike<unknown>): StepOutput {
    const parents = this.workload.parents[i] as readonly number[];
    let deepest = 0;
    for (let k = 0; k < parents.length; k++) deepest = this.take(i, parents[k] as number, parentOutputs[k], deepest);
    return this.ran(i, deepest);
  }

  /** Step `i`, given its parents' outputs by step name (Pipewright's `ctx.parents`). */
  stepByName(i: number, parentOutputs: Readonly<Record<string, unknown>>): StepOutput {
    const { names, parents } = this.workload;
    const own = parents[i] as readonly number[];
    let deepest = 0;
    for (let k = 0; k < own.length; k++) {
      const p = own[k] as number;
      deepest = this.take(i, p, parentOutputs[names[p] as string], deepest);
    }
    return this.ran(i, deepest);
  }

  /**
   * Throws `WRONG_RESULT` unless every step ran exactly once, every parent output reached its
   * children, and every final output (`outputOf(i)`) carries the expected depth.
   */
  verify(outputOf: (i: number) => unknown): void {
    this.verifyAll([outputOf]);
  }

  /**
   * `verify` for a batch of runs since the last `reset()`: every step ran once per run, and each
   * run's final outputs (`outputsOf[r](i)`) are right.
   */
  verifyAll(outputsOf: readonly ((i: number) => unknown)[]): void {
    const { steps, depth, names } = this.workload;
    const label = `${this.workload.shape} of ${steps} steps`;
    const runs = outputsOf.length;
    for (let i = 0; i < steps; i++) {
      const calls = this.calls[i] as number;
      if (calls !== runs) throw new BenchmarkError('WRONG_RESULT', `${label}: step ${names[i]} ran ${calls} times, not ${runs === 1 ? 'once' : `${runs} (once per run)`}.`);
    }
    if (this.misses > 0) throw new BenchmarkError('WRONG_RESULT', `${label}: ${this.misses} parent outputs did not reach their child (first: ${this.firstMiss}).`);
    for (const outputOf of outputsOf) {
      for (let i = 0; i < steps; i++) {
        const output = outputOf(i);
        if (!isOutput(output) || output.i !== i || output.depth !== depth[i]) {
          throw new BenchmarkError('WRONG_RESULT', `${label}: step ${names[i]} ended with output ${JSON.stringify(output)}, expected { i: ${i}, depth: ${depth[i]} }.`);
        }
      }
    }
  }

  /** Called after each step with the number of steps run so far in this run. */
  protected counted(_stepsRun: number): void {}

  private take(child: number, parent: number, output: unknown, deepest: number): number {
    if (isOutput(output) && output.i === parent) return output.depth > deepest ? output.depth : deepest;
    if (this.misses++ === 0) this.firstMiss = `${this.workload.names[parent]} → ${this.workload.names[child]}`;
    return deepest;
  }

  private ran(i: number, deepest: number): StepOutput {
    this.calls[i] = (this.calls[i] as number) + 1;
    this.counted(++this.stepsRun);
    return { i, depth: deepest + 1 };
  }
}
