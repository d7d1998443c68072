import type { Constructor, Params, StepOptions } from '../model/options';
import type { StepContext } from '../model/step-context';

/** The body of a step built without decorators. */
export type StepFunction = (ctx: StepContext) => unknown;

/** A `@Task` or `@Pipeline` a step clones. */
export interface TemplateRef {
  readonly kind: 'task' | 'pipeline';
  readonly name: string;
  readonly version: string;
  readonly target: Constructor;
  /** The template's default parameters. */
  readonly defaults: Readonly<Params>;
}

/** Where a step's work comes from. */
export type StepBody =
  | { readonly kind: 'method'; readonly method: string }
  | { readonly kind: 'function'; readonly fn: StepFunction }
  | { readonly kind: 'template'; readonly template: TemplateRef };

/** One node of a {@link PipelineGraph}: a step and everything needed to run it. */
export interface StepNode {
  readonly name: string;
  /** Explicit parents, then those implied by references, without repeats. */
  readonly parents: readonly string[];
  readonly body: StepBody;
  readonly options: StepOptions;
  /** Parameter names this step declares, or `undefined` when its params are a function. */
  readonly declaredParams: Readonly<Params> | undefined;
  /** The step that spawned this one at run time. */
  readonly spawnedBy?: string;
}
