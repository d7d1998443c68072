import type { DependencyContainer } from 'tsyringe';
import type { Constructor } from '../../model/options';
import type { StepNode } from '../../graph/step-node';
import { StepError } from '../../errors/errors';
import type { LocalScope, StepChannel } from '../../ports/executor';
import type { RunStore } from '../../ports/run-store';
import type { StepEvent } from '../../model/events';
import { isTerminal } from '../../model/results';
import type { SpawnOptions, StepArtifacts, WaitOptions } from '../../model/step-context';
import type { CancellationScope } from './cancellation-scope';
import type { StepState } from './step-state';
import { writableArtifacts, writableLogs, writableMetrics } from './step-state';

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A step event before the run stamps it with `runId`, `at`, `step` and `attempt`. */
export type StepEventBody = DistributiveOmit<StepEvent, 'runId' | 'at' | 'step' | 'attempt' | 'path'>;

/** What a channel needs from the run that owns the step. */
export interface ChannelHost {
  readonly id: string;
  readonly store: RunStore;
  readonly container: DependencyContainer;
  readonly instance: unknown;
  emitStep(state: StepState, event: StepEventBody): void;
  stateOf(step: string): StepState | undefined;
  spawn(caller: StepState, template: Constructor, options: SpawnOptions | undefined): Promise<never>;
  started(state: StepState, agent: string): void;
  /** `ctx.waitFor`: the `seq`-th durable wait of the attempt (see `Waits`). */
  waitFor(state: StepState, seq: number, name: string, options: WaitOptions | undefined, signal: AbortSignal): Promise<unknown>;
  /** `ctx.sleep`: the `seq`-th durable wait of the attempt. */
  sleep(state: StepState, seq: number, ms: number, signal: AbortSignal): Promise<void>;
}

const toBytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/**
 * The controller's side of one attempt. A class rather than a bag of closures: one object per
 * attempt on the hot path (the step context binds its methods only when a step uses them). Once the step has ended or its signal fired, whatever the step still
 * sends (logs, metrics, artifacts) is dropped: a late result is never written.
 */
export class RunStepChannel implements StepChannel, StepArtifacts, LocalScope {
  /** Durable waits of this attempt so far: the next one's position among the step's records. */
  private waits = 0;

  constructor(
    private readonly host: ChannelHost,
    private readonly state: StepState,
    private readonly scope: CancellationScope,
  ) {}

  /** The attempt's signal, made only if the step asks for it. */
  get signal(): AbortSignal {
    return this.scope.signal;
  }

  get artifacts(): StepArtifacts {
    return this;
  }

  /** Itself: an object per attempt fewer than a fresh scope. */
  get local(): LocalScope {
    return this;
  }

  get container(): DependencyContainer {
    return this.host.container;
  }

  get instance(): unknown {
    return this.host.instance;
  }

  get node(): StepNode {
    return this.state.node;
  }

  log(message: string, agent?: string): void {
    this.logLine(message, agent);
  }

  metric(name: string, value: number, agent?: string): void {
    this.metricValue(name, value, agent);
  }

  spawn<T>(template: Constructor<T>, options?: SpawnOptions): Promise<never> {
    return this.host.spawn(this.state, template, options);
  }

  waitFor<T>(name: string, options?: WaitOptions): Promise<T> {
    return this.host.waitFor(this.state, this.waits++, name, options, this.signal) as Promise<T>;
  }

  sleep(ms: number): Promise<void> {
    return this.host.sleep(this.state, this.waits++, ms, this.signal);
  }

  started(agent: string): void {
    if (this.live()) this.host.started(this.state, agent);
  }

  waiting(queue: string, waitedMs: number, message: string): void {
    if (this.live()) this.host.emitStep(this.state, { type: 'step.waiting', queue, waitedMs, message });
  }

  async put(name: string, data: Uint8Array | string): Promise<void> {
    const { host, state, signal } = this;
    signal.throwIfAborted();
    const ref = await host.store.artifacts.put({ runId: host.id, step: state.name, name, data: toBytes(data) });
    // A step aborted meanwhile must not write: its late work is dropped.
    signal.throwIfAborted();
    if (isTerminal(state.result.status)) return;
    writableArtifacts(state.result)[name] = ref;
  }

  async get(name: string, fromStep?: string): Promise<Buffer> {
    const { host, state } = this;
    const candidates = fromStep !== undefined ? [fromStep] : [state.name, ...state.node.parents];
    for (const candidate of candidates) {
      const ref = host.stateOf(candidate)?.result.artifacts[name];
      if (ref) return host.store.artifacts.get(ref);
    }
    throw new StepError(
      'ARTIFACT_NOT_FOUND',
      state.name,
      fromStep !== undefined
        ? `Step '${state.name}' asked for artifact '${name}' of step '${fromStep}', which stored none by that name.`
        : `Step '${state.name}' asked for artifact '${name}', but neither it nor its parents (${state.node.parents.join(', ') || 'none'}) stored one.`,
    );
  }

  private live(): boolean {
    return !isTerminal(this.state.result.status) && !this.scope.cancelled;
  }

  private logLine(message: string, agent: string | undefined): void {
    if (!this.live()) return;
    const entry = { at: Date.now(), message: String(message) };
    writableLogs(this.state.result).push(entry);
    this.host.emitStep(this.state, agent === undefined ? { type: 'step.log', message: entry.message } : { type: 'step.log', message: entry.message, agent });
  }

  private metricValue(name: string, value: number, agent: string | undefined): void {
    if (!this.live()) return;
    writableMetrics(this.state.result)[name] = value;
    this.host.emitStep(this.state, agent === undefined ? { type: 'step.metric', name, value } : { type: 'step.metric', name, value, agent });
  }
}
