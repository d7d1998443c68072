import type { Probe, StepOutput } from '../probe';
import type { Workload } from '../workload';
import type { EngineAdapter, PreparedRun, RunOutcome } from './engine-adapter';

const NO_OUTPUTS: readonly unknown[] = [];

/**
 * The floor: a hand-written Promise DAG runner with nothing an engine carries (no events,
 * states, callbacks or store). Each step is one promise chained on its parents' promises.
 */
export const promiseFloor: EngineAdapter = {
  engine: 'promise-floor',
  store: 'memory',
  prepare(workload: Workload, probe: Probe): PreparedRun {
    const step = async (i: number, outputs: ArrayLike<unknown>): Promise<StepOutput> => probe.step(i, outputs);
    return {
      async run(): Promise<RunOutcome> {
        const { steps, parents } = workload;
        const promises: Promise<StepOutput>[] = new Array(steps);
        for (let i = 0; i < steps; i++) {
          const own = parents[i] as readonly number[];
          if (own.length === 0) promises[i] = step(i, NO_OUTPUTS);
          else if (own.length === 1) promises[i] = (promises[own[0] as number] as Promise<StepOutput>).then((output) => step(i, [output]));
          else promises[i] = Promise.all(own.map((p) => promises[p] as Promise<StepOutput>)).then((outputs) => step(i, outputs));
        }
        const outputs = await Promise.all(promises);
        return { outputOf: (i) => outputs[i] };
      },
    };
  },
};
