import { PGraph } from 'p-graph';
import type { DependencyList, PGraphNodeMap } from 'p-graph';
import type { Probe, StepOutput } from '../probe';
import type { Workload } from '../workload';
import type { EngineAdapter, PreparedRun, RunOutcome } from './engine-adapter';

/**
 * p-graph (microsoft/p-graph), the leanest promise-graph library: nodes get no inputs, so each
 * step reads its parents' outputs from an array the run fills. The graph is built (and checked
 * for cycles) once; `run()` is timed.
 */
export const pGraph: EngineAdapter = {
  engine: 'p-graph',
  store: 'memory',
  prepare(workload: Workload, probe: Probe): PreparedRun {
    const { steps, names, parents } = workload;
    let outputs: StepOutput[] = [];
    const nodes: PGraphNodeMap = new Map();
    const dependencies: DependencyList = [];
    for (let i = 0; i < steps; i++) {
      const own = parents[i] as readonly number[];
      const step = async (): Promise<void> => {
        outputs[i] = probe.step(i, own.map((p) => outputs[p]));
      };
      nodes.set(names[i] as string, { run: step });
      for (const p of own) dependencies.push([names[p] as string, names[i] as string]);
    }
    const graph = new PGraph(nodes, dependencies);
    return {
      async run(): Promise<RunOutcome> {
        const mine: StepOutput[] = (outputs = new Array(steps));
        await graph.run();
        return { outputOf: (i) => mine[i] };
      },
    };
  },
};
