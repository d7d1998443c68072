import type { GraphNode, RunView } from '../src/view-model';

/** An error as events and stores carry it (`stack` and `cause` when the engine keeps them). */
export interface ErrorLike {
  readonly message: string;
  readonly name?: string;
  readonly code?: string;
  readonly stack?: string;
  readonly cause?: ErrorLike;
}

/** An artifact reference as the store keeps it. */
export interface ArtifactLike {
  readonly name: string;
  readonly size: number;
  readonly hash: string;
}

/** What the page knows of one step, from its stored result and then its events. */
export interface StepState {
  readonly key: string;
  status: string;
  attempts: number;
  output: unknown;
  error: ErrorLike | undefined;
  skippedBecause: string | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
  agent: string | undefined;
  logs: Array<{ at: number; message: string }>;
  /** Every value each metric took, in order. */
  metrics: Map<string, Array<{ at: number; value: number }>>;
  artifacts: Record<string, ArtifactLike>;
  /** `true` for steps the store keeps (top-level and spawned): their artifacts can be downloaded. */
  stored: boolean;
}

/** The fields of events the page reads; the server sends `PipelineEvent`s. */
export interface EventLike {
  readonly type: string;
  readonly at: number;
  readonly step?: string;
  readonly path?: readonly string[];
  readonly attempt?: number;
  readonly [field: string]: unknown;
}

const STATUS_OF: Readonly<Record<string, string>> = {
  'step.created': 'pending',
  'step.queued': 'queued',
  'step.started': 'running',
  'step.waiting': 'waiting',
  'step.retrying': 'retrying',
  'step.succeeded': 'succeeded',
  'step.cached': 'cached',
  'step.failed': 'failed',
  'step.skipped': 'skipped',
  'step.aborted': 'aborted',
};

const emptyStep = (key: string): StepState => ({
  key,
  status: 'pending',
  attempts: 0,
  output: undefined,
  error: undefined,
  skippedBecause: undefined,
  startedAt: undefined,
  endedAt: undefined,
  agent: undefined,
  logs: [],
  metrics: new Map(),
  artifacts: {},
  stored: false,
});

interface StoredStep {
  status: string;
  attempts: number;
  output: unknown;
  error?: ErrorLike;
  startedAt?: number;
  endedAt?: number;
  logs?: Array<{ at: number; message: string }>;
  metrics?: Record<string, number>;
  artifacts?: Record<string, ArtifactLike>;
}

/**
 * A run page's model: the DAG's nodes and each step's state, started from `GET /api/runs/<id>`
 * and moved on by the run's events. It notes what changed, so the view redraws only that.
 */
export class RunState {
  readonly nodes = new Map<string, GraphNode>();
  readonly steps = new Map<string, StepState>();
  run: RunView['run'];
  /** Nodes or edges were added since the last layout. */
  graphChanged = true;
  /** Steps whose state changed since the last redraw. */
  readonly changed = new Set<string>();
  /** The run's own fields changed since the last redraw. */
  runChanged = true;

  constructor(view: RunView) {
    this.run = view.run;
    for (const node of view.graph.nodes) this.nodes.set(node.key, node);
    for (const [name, raw] of Object.entries(view.steps)) {
      const stored = raw as StoredStep;
      const step = this.step(name);
      Object.assign(step, {
        status: stored.status,
        attempts: stored.attempts,
        output: stored.output,
        error: stored.error,
        startedAt: stored.startedAt,
        endedAt: stored.endedAt,
        logs: [...(stored.logs ?? [])],
        metrics: new Map(Object.entries(stored.metrics ?? {}).map(([metric, value]) => [metric, [{ at: stored.endedAt ?? 0, value }]])),
        artifacts: stored.artifacts ?? {},
        stored: true,
      });
    }
  }

  /** The state of a step, created (and its node added) when first heard of. */
  step(key: string): StepState {
    let step = this.steps.get(key);
    if (step === undefined) {
      step = emptyStep(key);
      this.steps.set(key, step);
    }
    return step;
  }

  /** Takes the final stored statuses of the run and its stored steps. */
  settle(view: RunView): void {
    this.run = view.run;
    this.runChanged = true;
    for (const [name, raw] of Object.entries(view.steps)) {
      const step = this.step(name);
      step.status = (raw as StoredStep).status;
      this.changed.add(name);
    }
  }

  /** The journal is being replayed from its start: logs and metric series come from it alone. */
  restartHistory(): void {
    for (const step of this.steps.values()) {
      step.logs = [];
      step.metrics = new Map();
    }
  }

  private ensureNode(event: EventLike, key: string): void {
    const path = event.path ?? [event.step as string];
    const prefix = path.slice(0, -1);
    const group = prefix.length > 0 ? prefix.join('/') : undefined;
    const spawnedBy = typeof event.spawnedBy === 'string' ? [...prefix, event.spawnedBy].join('/') : undefined;
    const known = this.nodes.get(key);
    if (known === undefined) {
      this.nodes.set(key, {
        key,
        name: path[path.length - 1] as string,
        path,
        kind: spawnedBy === undefined ? 'step' : 'spawned',
        parents: spawnedBy === undefined ? [] : [spawnedBy],
        ...(group === undefined ? {} : { group }),
        ...(spawnedBy === undefined ? {} : { spawnedBy }),
      });
      this.graphChanged = true;
    } else if (spawnedBy !== undefined && known.spawnedBy === undefined) {
      this.nodes.set(key, { ...known, kind: 'spawned', spawnedBy, parents: known.parents.includes(spawnedBy) ? known.parents : [...known.parents, spawnedBy] });
      this.graphChanged = true;
    }
    const outer = group === undefined ? undefined : this.nodes.get(group);
    if (outer !== undefined && outer.kind !== 'pipeline') {
      this.nodes.set(group as string, { ...outer, kind: 'pipeline' });
      this.graphChanged = true;
    }
  }

  /** Applies one event of the run. */
  apply(event: EventLike): void {
    if (event.type.startsWith('run.')) {
      this.run = event.type === 'run.started'
        ? { ...this.run, status: 'running', endedAt: null }
        : { ...this.run, status: String(event.status), endedAt: event.at, error: event.error ?? null };
      this.runChanged = true;
      return;
    }
    if (event.step === undefined) return;
    const key = (event.path ?? [event.step]).join('/');
    if (event.type === 'step.created') this.ensureNode(event, key);
    else if (!this.nodes.has(key)) this.ensureNode(event, key);
    const step = this.step(key);
    this.changed.add(key);
    const status = STATUS_OF[event.type];
    if (status !== undefined) step.status = status;
    if (typeof event.agent === 'string') step.agent = event.agent;
    switch (event.type) {
      case 'step.started':
        step.attempts = Math.max(step.attempts, event.attempt ?? 1);
        step.startedAt ??= event.at;
        step.endedAt = undefined;
        break;
      case 'step.retrying':
        step.error = event.error as ErrorLike;
        break;
      case 'step.succeeded':
      case 'step.cached':
        step.output = event.output;
        step.error = undefined;
        step.endedAt = event.at;
        break;
      case 'step.failed':
      case 'step.aborted':
        step.error = event.error as ErrorLike;
        step.endedAt = event.at;
        break;
      case 'step.skipped':
        step.skippedBecause = String(event.reason ?? '');
        break;
      case 'step.log':
        step.logs.push({ at: event.at, message: String(event.message) });
        break;
      case 'step.metric': {
        const series = step.metrics.get(String(event.name)) ?? [];
        series.push({ at: event.at, value: Number(event.value) });
        step.metrics.set(String(event.name), series);
        break;
      }
      default:
        break;
    }
  }
}
