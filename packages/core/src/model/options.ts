import type { StepContext } from './step-context';
import type { StepResult, StepStatus } from './results';

/** A class that can be constructed (by tsyringe) with any constructor arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor and function types must accept any arguments to match every user class
export type Constructor<T = unknown> = new (...args: any[]) => T;

/** Parameters: plain, JSON-like values by name. */
export type Params = Record<string, unknown>;

/** Options of `@Pipeline(...)`. */
export interface PipelineOptions {
  /** Registry name; with `version` it is how agents and `resume()` find the pipeline. */
  readonly name: string;
  /** Defaults to `'0.0.0'`. */
  readonly version?: string;
  /** Declared pipeline parameters with their defaults; a run may override them, but only with values of the same type. */
  readonly params?: Params;
  /** Most steps in flight at once; unbounded by default. A run option overrides it. */
  readonly concurrency?: number;
  /** Bounds the whole run: running steps are aborted with `RUN_TIMEOUT`, the rest skipped, and the run fails. */
  readonly timeoutMs?: number;
  /** When a step fails the run, abort the steps still running instead of letting them finish. */
  readonly abortOnFailure?: boolean;
}

/** Options of `@Task(...)`: a reusable step template. */
export interface TaskOptions {
  /** Registry name of the template. */
  readonly name: string;
  /** Defaults to `'0.0.0'`. */
  readonly version?: string;
  /** Default parameters; steps cloning the template override them. */
  readonly params?: Params;
}

/**
 * Decides whether a failed attempt is retried. `attempt` is the attempt that just failed (from 1).
 * Returning `true` also retries a timeout, which is otherwise final.
 */
export type RetryPredicate = (error: Error, attempt: number, ctx: StepContext) => boolean | Promise<boolean>;

/** Retry with exponential backoff (p-retry underneath). Delays are in milliseconds. */
export interface RetryOptions {
  /** Attempts after the first one. */
  readonly retries: number;
  /** First delay; default 100. */
  readonly minTimeout?: number;
  /** Largest delay; default 10 000, or `minTimeout` when that is larger. */
  readonly maxTimeout?: number;
  /** Growth of the delay between attempts; default 2. */
  readonly factor?: number;
  /** Multiply delays by a random factor between 1 and 2; default false. */
  readonly randomize?: boolean;
  /** Further filter on which errors are retried. */
  readonly shouldRetry?: RetryPredicate;
}

/** A number of retries, backoff options, or a predicate (retried while it returns `true`). */
export type RetryPolicy = number | RetryOptions | RetryPredicate;

/** Parameters of a step: an object (values may be `${…}` references) or a function of the context. */
export type ParamsSpec = Params | ((ctx: StepContext) => Params | Promise<Params>);

/** What `preExecute` may return: `false` skips the step, an object overrides parameters. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- callbacks may return nothing: void is one of their results
export type PreExecuteResult = boolean | Params | void | undefined;

/** Caching of a step's output across runs (see DESIGN.md, `cache_executed_step`). */
export type CacheOption = boolean | { readonly key: (ctx: StepContext) => string | Promise<string> };

/** Options of `@Step(...)` and of the programmatic builder's steps. */
export interface StepOptions {
  /** Steps that must succeed before this one starts. References to other steps add to these. */
  readonly parents?: readonly string[];
  /** A `@Task` (cloned for this step) or a `@Pipeline` (run as a child run). Property steps need one. */
  readonly template?: Constructor;
  /** Parameter overrides for this step. */
  readonly params?: ParamsSpec;
  /** Retry policy on failure; none by default. */
  readonly retry?: RetryPolicy;
  /** Bounds each attempt; on expiry `ctx.signal` fires and the step is `aborted` with `STEP_TIMEOUT`. */
  readonly timeoutMs?: number;
  /** Reuse a previous output for the same step identity, code, parameters and inputs. */
  readonly cache?: CacheOption;
  /**
   * Part of the step's code identity: bump it when something the module hash cannot see
   * changed (another module the step imports, a package, a file it reads), so that cached
   * outputs are not reused and `resume()` sees the change.
   */
  readonly cacheVersion?: string | number;
  /** Execution queue; `'default'` when absent. */
  readonly queue?: string;
  /** A failure of this step does not fail the run. */
  readonly continueOnFail?: boolean;
  /** With `continueOnFail`, whether this step's descendants are skipped when it fails (default `true`). */
  readonly skipChildrenOnFail?: boolean;
  /** Runs before the step is queued: `false` skips it, an object overrides its parameters. */
  readonly preExecute?: (ctx: StepContext) => PreExecuteResult | Promise<PreExecuteResult>;
  /** Runs once the step ran or was cached, with its result. */
  readonly postExecute?: (ctx: StepContext, result: StepResult) => void | Promise<void>;
  /** Runs on every status change of the step. */
  readonly onStatusChange?: (ctx: StepContext, status: StepStatus, previous: StepStatus) => void;
}
