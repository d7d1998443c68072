import type { DependencyContainer } from 'tsyringe';
import type { Executor } from '../../ports/executor';
import type { StepRequest } from '../../model/step-request';
import type { PipelineGraph } from '../../graph/pipeline-graph';
import { layoutOf } from '../../graph/graph-layout';
import type { GraphLayout } from '../../graph/graph-layout';
import type { PipelineDefinition } from '../../metadata/pipeline-definition';
import type { RunStore } from '../../ports/run-store';
import type { RunParams } from '../parameters';
import type { ErrorInfo } from '../../model/results';
import type { RunOptions } from '../run-handle';
import { CancellationScope } from './cancellation-scope';
import type { Journal } from './journal';
import type { ChannelHost } from './run-step-channel';
import { RunStates } from './run-states';
import type { StepState } from './step-state';

/**
 * Where a run is. `failing`: a step failed, nothing new starts, what runs finishes;
 * `stopping`: stopped or timed out, what runs is aborted.
 */
export type RunPhase = 'pending' | 'running' | 'failing' | 'stopping' | 'ended';

/**
 * The state one run's units share. Each field has one writer: `phase`, `runError` and
 * `interruption` belong to run control; step results to the status writer; `graph` and
 * `states` to the run and spawn.
 */
export interface RunCore {
  readonly id: string;
  readonly definition: PipelineDefinition;
  readonly options: RunOptions;
  readonly store: RunStore;
  readonly executor: Executor;
  /** The run's own child container. */
  readonly container: DependencyContainer;
  readonly journal: Journal;
  /** Cancels every step and attempt of the run. */
  readonly scope: CancellationScope;
  readonly states: RunStates;
  /** The static graph by position, laid out once per definition (see `GraphLayout`). */
  readonly layout: GraphLayout;
  /** The static steps' states by position in `layout` (`states.byIndex`). */
  readonly stateAt: readonly StepState[];
  readonly pipelineInfo: StepRequest['pipeline'];
  readonly stepOverrides: RunParams['steps'];
  /** What step channels may reach of the run. */
  readonly host: ChannelHost;
  graph: PipelineGraph;
  /** The pipeline class's instance, resolved when the run begins. */
  instance: unknown;
  phase: RunPhase;
  runError: ErrorInfo | undefined;
  /** Set by `stop()` (the run ends `aborted`) or the run's time limit (it ends `failed`). */
  interruption: 'RUN_STOPPED' | 'RUN_TIMEOUT' | undefined;
  /** Steps that reached a terminal status. */
  ended: number;
}

/** What a run's core is made of. */
export interface RunCoreInput {
  readonly runId: string;
  readonly definition: PipelineDefinition;
  readonly options: RunOptions;
  readonly runParams: RunParams;
  readonly store: RunStore;
  readonly executor: Executor;
  /** The container the run's own child container is made from, on first use (most runs of function steps never resolve anything). */
  readonly container: DependencyContainer;
}

/** A run's shared state: a class, so that a run's getter is on the prototype rather than made per run. */
class SharedRunState implements RunCore {
  readonly id: string;
  readonly definition: PipelineDefinition;
  readonly options: RunOptions;
  readonly store: RunStore;
  readonly executor: Executor;
  readonly scope = CancellationScope.root();
  readonly states: RunStates;
  readonly layout: GraphLayout;
  readonly stateAt: readonly StepState[];
  readonly pipelineInfo: StepRequest['pipeline'];
  readonly stepOverrides: RunParams['steps'];
  graph: PipelineGraph;
  instance: unknown = undefined;
  phase: RunPhase = 'pending';
  runError: ErrorInfo | undefined = undefined;
  interruption: 'RUN_STOPPED' | 'RUN_TIMEOUT' | undefined = undefined;
  ended = 0;
  private ownContainer: DependencyContainer | undefined;

  constructor(
    private readonly parentContainer: DependencyContainer,
    input: RunCoreInput,
    readonly journal: Journal,
    readonly host: ChannelHost,
  ) {
    this.id = input.runId;
    this.definition = input.definition;
    this.options = input.options;
    this.store = input.store;
    this.executor = input.executor;
    this.layout = layoutOf(input.definition.graph);
    this.states = new RunStates(this.layout);
    this.stateAt = this.states.byIndex;
    this.pipelineInfo = { name: input.definition.name, version: input.definition.version, params: input.runParams.pipeline };
    this.stepOverrides = input.runParams.steps;
    this.graph = input.definition.graph;
  }

  get container(): DependencyContainer {
    return (this.ownContainer ??= this.parentContainer.createChildContainer());
  }
}

/** A fresh run's shared state: pending, no steps yet, a root cancellation scope. */
export const createRunCore = (input: RunCoreInput, journal: Journal, host: ChannelHost): RunCore => new SharedRunState(input.container, input, journal, host);
