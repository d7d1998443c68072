import type { Constructor, Params } from '../model/options';
import type { StepResult } from '../model/results';
import type { StepContext } from '../model/step-context';
import type { PipelineGraph } from '../graph/pipeline-graph';

/** A hook that runs for every step: a method of the pipeline class, or a function (builder). */
export type StepHook =
  | { readonly kind: 'method'; readonly method: string }
  | { readonly kind: 'function'; readonly fn: (ctx: StepContext, result?: StepResult) => unknown };

/**
 * A validated pipeline, ready to run: what the scanner makes of a `@Pipeline` class and what
 * the programmatic builder makes of its calls.
 */
export interface PipelineDefinition {
  readonly name: string;
  readonly version: string;
  /** Declared pipeline parameters and their defaults. */
  readonly params: Readonly<Params>;
  readonly concurrency: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly abortOnFailure: boolean;
  /** The decorated class, whose instance (one per run) owns method steps and hooks. */
  readonly target: Constructor | undefined;
  readonly beforeStep: readonly StepHook[];
  readonly afterStep: readonly StepHook[];
  readonly graph: PipelineGraph;
}
