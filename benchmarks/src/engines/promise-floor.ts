import type { Probe, StepOutput } from '../probe';
import type { Workload } from '../workload';
import type { EngineAdapter, PreparedRun, RunOutcome } from './engine-adapter';

/**
 * The floor: the leanest hand-written Promise DAG runner, with nothing an engine carries (no
 * events, states, callbacks or store). Each step is an async call; when its promise settles, the
 * runner counts down its children's unfinished parents and starts those that reach zero.
 *
 * Counting rather than `Promise.all(parents)`: on the lattice (50 parents per step) that would
 * cost one promise reaction per edge and make the floor slower than the engines it bounds.
 */
export const promiseFloor: EngineAdapter = {
  engine: 'promise-floor',
  store: 'memory',
  prepare(workload: Workload, probe: Probe): PreparedRun {
    const { steps, parents } = workload;
    const children: number[][] = Array.from({ length: steps }, () => []);
    for (let i = 0; i < steps; i++) for (const p of parents[i] as readonly number[]) (children[p] as number[]).push(i);
    const step = async (i: number, outputs: ArrayLike<unknown>): Promise<StepOutput> => probe.step(i, outputs);
    return {
      run(): Promise<RunOutcome> {
        const outputs: StepOutput[] = new Array(steps);
        const waiting = new Int32Array(steps);
        let left = steps;
        return new Promise((resolve, reject) => {
          const start = (i: number): void => {
            const own = parents[i] as readonly number[];
            void step(i, own.map((p) => outputs[p])).then((output) => {
              outputs[i] = output;
              if (--left === 0) resolve({ outputOf: (k) => outputs[k] });
              for (const child of children[i] as number[]) if ((waiting[child] = (waiting[child] as number) - 1) === 0) start(child);
            }, reject);
          };
          for (let i = 0; i < steps; i++) waiting[i] = (parents[i] as readonly number[]).length;
          for (let i = 0; i < steps; i++) if (waiting[i] === 0) start(i);
        });
      },
    };
  },
};
