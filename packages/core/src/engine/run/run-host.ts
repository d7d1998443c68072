import type { DependencyContainer } from 'tsyringe';
import type { Constructor } from '../../model/options';
import type { SpawnOptions, WaitOptions } from '../../model/step-context';
import type { RunStore } from '../../ports/run-store';
import type { RunCore } from './run-core';
import type { ChannelHost, StepEventBody } from './run-step-channel';
import type { Spawner } from './spawn';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';
import type { Waits } from './waits';

/** The units a host hands its channels on to, made after the host (the core holds it). */
export interface HostedUnits {
  readonly core: RunCore;
  readonly status: StepStatusWriter;
  readonly spawner: Spawner;
  /** Made on first use: most runs never wait. */
  waits(): Waits;
}

/**
 * What step channels reach of their run. A class rather than a bag of closures: a run makes one
 * object instead of ten, and a long-lived engine makes a run per request.
 */
export class RunHost implements ChannelHost {
  private units!: HostedUnits;

  constructor(
    readonly id: string,
    readonly store: RunStore,
  ) {}

  /** Called once, as soon as the run has made its units. */
  attach(units: HostedUnits): void {
    this.units = units;
  }

  get container(): DependencyContainer {
    return this.units.core.container;
  }

  get instance(): unknown {
    return this.units.core.instance;
  }

  emitStep(state: StepState, event: StepEventBody): void {
    this.units.status.emit(state, event);
  }

  stateOf(step: string): StepState | undefined {
    return this.units.core.states.get(step);
  }

  spawn(caller: StepState, template: Constructor, options: SpawnOptions | undefined): Promise<never> {
    return this.units.spawner.spawn(caller, template, options);
  }

  started(state: StepState, agent: string): void {
    this.units.status.markStarted(state, agent);
  }

  waitFor(state: StepState, seq: number, name: string, options: WaitOptions | undefined, signal: AbortSignal): Promise<unknown> {
    return this.units.waits().waitFor(state, seq, name, options, signal);
  }

  sleep(state: StepState, seq: number, ms: number, signal: AbortSignal): Promise<void> {
    return this.units.waits().sleep(state, seq, ms, signal);
  }
}
