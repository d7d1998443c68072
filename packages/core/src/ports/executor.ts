import type { DependencyContainer } from 'tsyringe';
import type { StepNode } from '../graph/step-node';
import type { StepArtifacts, StepContext } from '../model/step-context';
import type { StepRequest } from '../model/step-request';

/** What lives only in the controller's process, for executors that run there. */
export interface LocalScope {
  /** The run's child container. */
  readonly container: DependencyContainer;
  /** The run's pipeline instance (for method steps). */
  readonly instance: unknown;
  /** The step's graph node. */
  readonly node: StepNode;
}

/** The controller's side of an attempt: where the step's signals and side channels go. */
export interface StepChannel {
  readonly signal: AbortSignal;
  /** A line the step logged; `agent` tags lines from a remote agent. */
  log(message: string, agent?: string): void;
  /** A metric the step reported; `agent` tags values from a remote agent. */
  metric(name: string, value: number, agent?: string): void;
  /** Reports that the attempt is still waiting in `queue` for an agent to take it. */
  waiting(queue: string, waitedMs: number, message: string): void;
  /**
   * Reports that `agent` has taken the attempt and started it (see `Executor.reportsStart`).
   * Called again when another agent re-runs it (its first agent died).
   */
  started(agent: string): void;
  readonly artifacts: StepArtifacts;
  readonly spawn: StepContext['spawn'];
  /** `ctx.waitFor`; a channel without it (an agent's) makes the step fail with `WAIT_NOT_SUPPORTED`. */
  readonly waitFor?: StepContext['waitFor'];
  /** `ctx.sleep`; a channel without it (an agent's) makes the step fail with `WAIT_NOT_SUPPORTED`. */
  readonly sleep?: StepContext['sleep'];
  /** Present when the executor runs in the controller's process. */
  readonly local: LocalScope | undefined;
}

/** Runs step attempts somewhere: in this process, or on agents behind a queue. */
export interface Executor {
  /** Runs one attempt and resolves with the step's output (rejects with its error). */
  execute(request: StepRequest, channel: StepChannel): Promise<unknown>;
  /** Releases connections and workers. */
  close(): Promise<void>;
  /**
   * `true` when the executor calls `channel.started(agent)` once an attempt really starts
   * somewhere else: the engine then keeps the step `queued` until that moment and emits
   * `step.started` tagged with the agent. Otherwise the engine marks the step running as it
   * hands the attempt over.
   */
  readonly reportsStart?: boolean;
}
