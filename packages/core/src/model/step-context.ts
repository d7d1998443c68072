import type { Constructor, Params, RetryPolicy } from './options';

/** Reads and writes a step's named artifacts (bytes). */
export interface StepArtifacts {
  /** Stores bytes (a string is stored as UTF-8) under `name` for this step. */
  put(name: string, data: Uint8Array | string): Promise<void>;
  /**
   * Reads an artifact. `fromStep` defaults to this step if it has one by that name, then to the
   * first parent that has one. Rejects with `ARTIFACT_NOT_FOUND` when none has it.
   */
  get(name: string, fromStep?: string): Promise<Buffer>;
}

/** Options of `ctx.spawn`. */
export interface SpawnOptions {
  /** Step name in the run; defaults to the template's name. Must be unused in the run. */
  readonly name?: string;
  /** Parameter overrides for the clone. */
  readonly params?: Params;
  /** Execution queue; defaults to `'default'`. */
  readonly queue?: string;
  /** Retry policy of the spawned step, as the `retry` step option; none by default. */
  readonly retry?: RetryPolicy;
  /** Bounds each attempt of the spawned step, as the `timeoutMs` step option. */
  readonly timeoutMs?: number;
}

/** Options of `ctx.waitFor`. */
export interface WaitOptions {
  /**
   * How long to wait for the signal, in ms (counted from the call, in this attempt); then the
   * step fails with `WAIT_TIMEOUT`, under its retry policy. Waits without end by default.
   */
  readonly timeoutMs?: number;
}

/** Output type of a step member: a method's resolved return, or a template's `execute` return. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor and function types must accept any arguments to match every user class
export type OutputOf<Member> = Member extends (...args: any[]) => infer R
  ? Awaited<R>
  : // eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor and function types must accept any arguments to match every user class
    Member extends { execute(...args: any[]): infer R }
    ? Awaited<R>
    : unknown;

/** Parents' outputs, typed from the pipeline class: `ParentsOf<MyPipeline, 'prepare' | 'train'>`. */
export type ParentsOf<Pipeline, Names extends keyof Pipeline> = {
  readonly [Name in Names]: OutputOf<Pipeline[Name]>;
};

/** A template's parameter type, read from its `execute(ctx: StepContext<Params>)` signature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor and function types must accept any arguments to match every user class
export type ParamsOf<Template> = Template extends { execute(ctx: StepContext<infer P, any>): unknown } ? P : never;

/** What a step's body receives. Generic over its parameters and its parents' outputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor and function types must accept any arguments to match every user class
export interface StepContext<P = Record<string, any>, Parents = Record<string, any>> {
  /** Resolved parameters: template defaults, step params, run params, then `preExecute` overrides. */
  readonly params: P;
  /** Parents' outputs by step name (`undefined` for a failed parent under `skipChildrenOnFail: false`). */
  readonly parents: Parents;
  /** The pipeline this step runs in, with its resolved parameters. */
  readonly pipeline: { readonly name: string; readonly version: string; readonly params: Readonly<Params> };
  readonly runId: string;
  /** This step's name. */
  readonly step: string;
  /** Current attempt, from 1 (0 in callbacks that run before the first attempt). */
  readonly attempt: number;
  /** Fires on timeout, `stop()`, or an abort on failure; `signal.reason` is a `StepError`. */
  readonly signal: AbortSignal;
  /** Emits a `step.log` event and keeps the line in the step's result. */
  log(message: string): void;
  /** Emits a `step.metric` event and keeps the latest value in the step's result. */
  metric(name: string, value: number): void;
  readonly artifacts: StepArtifacts;
  /**
   * Adds a clone of a `@Task` or `@Pipeline` to the running DAG as a child of this step and
   * resolves with its output (rejects with its error).
   */
  spawn<T>(template: Constructor<T>, options?: SpawnOptions): Promise<OutputOf<T>>;
  /**
   * Waits, durably, for the signal `name` (`engine.signal(runId, name, payload)` from any process
   * on the store) and resolves with its payload. A signal sent before the call is kept and
   * delivered at once. While it waits the step is `waiting` and holds no concurrency slot; a step
   * re-run after a crash gets the payload it was delivered at once. Rejects with `WAIT_TIMEOUT`
   * after `timeoutMs`, and at once when the step is stopped or times out.
   */
  waitFor<T = unknown>(name: string, options?: WaitOptions): Promise<T>;
  /**
   * Sleeps `ms` milliseconds, durably: its deadline is committed first, so a step re-run after a
   * crash sleeps only what is left. `waiting` meanwhile, without a concurrency slot. A negative or
   * non-finite `ms` rejects with `INVALID_WAIT`.
   */
  sleep(ms: number): Promise<void>;
}
