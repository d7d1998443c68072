/**
 * The JSON the dashboard's API serves and its front-end reads: one definition for both sides
 * (the browser bundle imports these types only).
 */

/** A run as the runs page lists it. */
export interface RunRow {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly status: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
}

/** `GET /api/runs`: one page of runs, newest first. */
export interface RunPage {
  readonly runs: readonly RunRow[];
  readonly offset: number;
  readonly limit: number;
  /** `true` when runs follow this page. */
  readonly more: boolean;
}

/** How a node came to be in the DAG. */
export type NodeKind = 'step' | 'pipeline' | 'spawned';

/** A node of a run's DAG. Keys of steps inside nested pipelines are their path joined by `/`. */
export interface GraphNode {
  readonly key: string;
  /** The step's own name (the last element of its path). */
  readonly name: string;
  readonly path: readonly string[];
  readonly kind: NodeKind;
  /** Keys of the parents. */
  readonly parents: readonly string[];
  /** The key of the nested-pipeline step this node runs inside, if any. */
  readonly group?: string;
  /** The step that spawned this one. */
  readonly spawnedBy?: string;
  /** The step's parameters as declared: template defaults, step params, run overrides (`${…}` unresolved). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** The queue, when it is not `default`. */
  readonly queue?: string;
}

/** Which buttons this engine supports (`stop`, `rerun`, `live`) or apply now (`resume`); the page shows them by the run's status. */
export interface RunActions {
  readonly stop: boolean;
  readonly resume: boolean;
  readonly rerun: boolean;
  readonly live: boolean;
  readonly artifacts: boolean;
}

/** `GET /api/runs/<runId>`. */
export interface RunView {
  readonly run: RunRow & {
    readonly params: Readonly<Record<string, unknown>>;
    readonly error: unknown;
  };
  /** Stored step results by step name (top-level and spawned steps). */
  readonly steps: Readonly<Record<string, unknown>>;
  readonly graph: {
    /** `false` when the pipeline's class is not loaded here: edges of declared steps are unknown. */
    readonly known: boolean;
    readonly nodes: readonly GraphNode[];
  };
  readonly actions: RunActions;
}
