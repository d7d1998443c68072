import type { Observable } from 'rxjs';
import type { Constructor, StepOptions } from '../../model/options';
import { isStepErrorCode, PipelineDefinitionError, StepError } from '../../errors/errors';
import type { StepNode } from '../../graph/step-node';
import type { PipelineDefinition } from '../../metadata/pipeline-definition';
import { scanPipeline } from '../../metadata/scanner';
import { templateRef } from '../../metadata/step-factory';
import { fromErrorInfo } from '../error-info';
import type { PipelineEvent, StepEvent } from '../../model/events';
import { nestedRunStore } from '../nested-run-store';
import { resolveRunParams } from '../parameters';
import type { RunParams } from '../parameters';
import type { ErrorInfo, RunResult } from '../../model/results';
import { isSuccess, isTerminal } from '../../model/results';
import type { SpawnOptions } from '../../model/step-context';
import type { RunStore } from '../../ports/run-store';
import type { RunCore } from './run-core';
import type { Scheduler } from './scheduler';
import type { SlotLender } from './slot-lender';
import type { StepState } from './step-state';

/** What `ctx.spawn` rejects with: a `StepError` naming the spawned step, the original as its cause. */
const spawnedFailure = (name: string, info: ErrorInfo): StepError => {
  const code = isStepErrorCode(info.code) ? info.code : 'STEP_FAILED';
  return new StepError(code, name, info.message, { cause: fromErrorInfo(info) });
};

/** Makes a child run of a nested pipeline; `Run` supplies it, so this unit does not import its composer. */
export type ChildRunFactory = (
  definition: PipelineDefinition,
  params: RunParams,
  store: RunStore,
  runId: string,
  signal: AbortSignal,
) => { readonly events$: Observable<PipelineEvent>; readonly result: Promise<RunResult> };

/** Dynamic steps: `ctx.spawn` adds a step to the running DAG; a pipeline template runs as a child run. */
export class Spawner {
  constructor(
    private readonly core: RunCore,
    /** The caller waits for its spawns without holding a slot, so they can run even at concurrency 1. */
    private readonly lender: SlotLender,
    private readonly scheduler: Scheduler,
    private readonly addState: (node: StepNode) => StepState,
    private readonly childRun: ChildRunFactory,
  ) {}

  /**
   * Adds a step to the running DAG and resolves with its output (rejects with a `StepError`).
   * No async frame of its own: a step spawning 10 000 children holds 10 000 of these at once.
   */
  spawn(caller: StepState, template: Constructor, options: SpawnOptions = {}): Promise<never> {
    let state: StepState;
    try {
      state = this.addSpawned(caller, template, options);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const { lender } = this;
    return new Promise<never>((resolve, reject) => {
      const settle = (child: StepState): void => {
        if (isSuccess(child.result.status)) resolve(child.result.output as never);
        else reject(spawnedFailure(child.name, child.result.error ?? { message: `Spawned step '${child.name}' ${child.result.status}`, name: 'Error' }));
      };
      state.waiters = [
        (child) => {
          const back = lender.reclaim(caller);
          if (back === undefined) settle(child);
          else void back.then(() => settle(child));
        },
      ];
      lender.lend(caller);
      this.scheduler.startAfterCommit([state]);
    });
  }

  private addSpawned(caller: StepState, template: Constructor, options: SpawnOptions): StepState {
    const { core } = this;
    if (isTerminal(caller.result.status)) {
      throw new StepError('SPAWN_FAILED', caller.name, `Step '${caller.name}' has ended and can no longer spawn steps.`);
    }
    const ref = templateRef(template, options.name ?? '(spawned)', { pipeline: core.definition.name, params: core.pipelineInfo.params });
    const name = options.name ?? ref.name;
    if (core.states.has(name)) {
      throw new StepError('DUPLICATE_STEP', caller.name, `Step '${caller.name}' cannot spawn '${name}': the run already has a step by that name. Pass a unique { name }.`);
    }
    const stepOptions: { -readonly [K in keyof StepOptions]: StepOptions[K] } = {};
    if (options.params) stepOptions.params = options.params;
    if (options.queue) stepOptions.queue = options.queue;
    if (options.retry !== undefined) stepOptions.retry = options.retry;
    if (options.timeoutMs !== undefined) stepOptions.timeoutMs = options.timeoutMs;
    const node: StepNode = {
      name,
      parents: [caller.name],
      body: { kind: 'template', template: ref },
      options: stepOptions,
      declaredParams: options.params ? { ...ref.defaults, ...options.params } : ref.defaults,
      spawnedBy: caller.name,
    };
    try {
      core.graph = core.graph.withNode(node);
    } catch (error) {
      if (error instanceof PipelineDefinitionError) throw new StepError('SPAWN_FAILED', caller.name, error.message, { cause: error });
      throw error;
    }
    return this.addState(node);
  }

  /** Runs a pipeline template as a child run whose step events come through this run's journal. */
  async runChildPipeline(state: StepState, target: Constructor, signal: AbortSignal): Promise<unknown> {
    const { core } = this;
    const definition = scanPipeline(target);
    const child = this.childRun(definition, resolveRunParams(definition, state.params), nestedRunStore(core.store), `${core.id}/${state.name}/${state.result.attempts}`, signal);
    const forwarding = child.events$.subscribe((event) => {
      if (event.type.startsWith('run.') || isTerminal(state.result.status)) return;
      const inner = event as StepEvent;
      core.journal.append({ ...inner, runId: core.id, path: [state.name, ...(inner.path ?? [inner.step])] });
    });
    const result = await child.result;
    forwarding.unsubscribe();
    if (result.status !== 'succeeded') {
      const reason: unknown = signal.reason;
      if (signal.aborted && reason instanceof StepError) throw new StepError(reason.code, state.name, reason.message);
      throw new StepError('STEP_FAILED', state.name, `Nested pipeline '${definition.name}' ${result.status}: ${result.error?.message ?? ''}`.trim());
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, step] of Object.entries(result.steps)) if (isSuccess(step.status)) outputs[name] = step.output;
    return outputs;
  }
}
