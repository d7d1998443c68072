import type { RunRecord, StoredRun } from '@pipewright/core';
import type { DashboardEngine } from '../dashboard-engine';
import type { ActionHooks } from './actions';
import type { GraphNode, RunView } from '../view-model';
import { runGraph } from './run-graph';

/** Which features of the dashboard this engine and these options allow. */
export interface Capabilities extends Pick<ActionHooks, 'loadPipeline'> {
  readonly artifacts: boolean;
}

/** Steps kept by the store but not in the declared graph: spawned at run time. */
const extraNodes = (steps: StoredRun['steps'], declared: ReadonlySet<string>): GraphNode[] =>
  Object.keys(steps)
    .filter((name) => !declared.has(name))
    .map((name) => ({ key: name, name, path: [name], kind: 'spawned' as const, parents: [] }));

const summaryOf = (run: RunRecord): RunView['run'] => ({
  runId: run.runId,
  pipeline: run.pipeline,
  version: run.version,
  status: run.status,
  startedAt: run.startedAt,
  endedAt: run.endedAt ?? null,
  params: run.params,
  error: run.error ?? null,
});

/**
 * Everything a run page starts from: the run, its stored steps, its DAG (declared steps from the
 * pipeline class when it is loaded, plus the stored steps it does not declare) and the actions
 * that apply. Live changes, nested steps' statuses and spawn edges come over the event stream.
 */
export const runView = async (engine: DashboardEngine, runId: string, capabilities: Capabilities): Promise<RunView> => {
  const stored = await engine.inspect(runId);
  const { run, steps } = stored;
  try {
    await capabilities.loadPipeline?.({ runId, pipeline: run.pipeline, version: run.version });
  } catch {
    // Without its class the page still shows the run, only without declared edges.
  }
  const declared = runGraph(run.pipeline, run.version, run.input);
  const nodes = declared ?? [];
  const extra = extraNodes(steps, new Set(nodes.filter((node) => node.group === undefined).map((node) => node.key)));
  const running = run.status === 'running';
  return {
    run: summaryOf(run),
    steps,
    graph: { known: declared !== undefined, nodes: [...nodes, ...extra] },
    actions: {
      stop: engine.stopRun !== undefined,
      resume: !running && run.status !== 'succeeded',
      rerun: engine.fork !== undefined,
      live: engine.watch !== undefined,
      artifacts: capabilities.artifacts,
    },
  };
};
