import type { Constructor, PipelineOptions, StepOptions } from '../model/options';
import type { StepResult } from '../model/results';
import type { StepContext } from '../model/step-context';
import type { StepFunction, StepNode } from '../graph/step-node';
import type { PipelineDefinition, StepHook } from './pipeline-definition';
import { assembleDefinition } from './assemble-definition';

/** Options of a builder step: step options without `template` (given as an argument instead). */
export type BuilderStepOptions = Omit<StepOptions, 'template'>;

/**
 * Builds a pipeline without decorators, the way ClearML's `add_step` / `add_function_step` do:
 * for generated pipelines and benchmarks. `build()` validates and returns the same
 * {@link PipelineDefinition} the scanner makes of a class.
 *
 * ```ts
 * const definition = definePipeline({ name: 'etl' })
 *   .addFunctionStep('extract', async () => [1, 2, 3])
 *   .addStep('train', TrainModel, { parents: ['extract'], params: { lr: 0.1 } })
 *   .build();
 * await engine.run(definition);
 * ```
 */
export class PipelineBuilder {
  private readonly drafts: Array<{ name: string; body: StepNode['body'] | undefined; options: StepOptions }> = [];
  private readonly before: StepHook[] = [];
  private readonly after: StepHook[] = [];

  constructor(private readonly options: PipelineOptions) {}

  /** Adds a step that clones a `@Task` (or runs a `@Pipeline`) template with parameter overrides. */
  addStep(name: string, template: Constructor, options: BuilderStepOptions = {}): this {
    this.drafts.push({ name, body: undefined, options: { ...options, template } });
    return this;
  }

  /**
   * Adds a step whose body is a function of the step context. Type the context to type the
   * step: `addFunctionStep('train', (ctx: StepContext<{ lr: number }, { prep: Rows }>) => ...)`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor and function types must accept any arguments to match every user class
  addFunctionStep<P = Record<string, any>, Parents = Record<string, any>>(
    name: string,
    fn: (ctx: StepContext<P, Parents>) => unknown,
    options: BuilderStepOptions = {},
  ): this {
    // The engine hands every step an untyped context; the function's own typing is the user's claim.
    this.drafts.push({ name, body: { kind: 'function', fn: fn as StepFunction }, options });
    return this;
  }

  /** Runs before every step; returning `false` skips it. */
  beforeStep(fn: (ctx: StepContext) => unknown): this {
    this.before.push({ kind: 'function', fn });
    return this;
  }

  /** Runs after every step that ran or was cached. */
  afterStep(fn: (ctx: StepContext, result: StepResult) => unknown): this {
    this.after.push({ kind: 'function', fn: fn as (ctx: StepContext, result?: StepResult) => unknown });
    return this;
  }

  /** Validates the steps and returns the definition. Throws `PipelineDefinitionError`. */
  build(): PipelineDefinition {
    return assembleDefinition(this.options, this.drafts, { target: undefined, beforeStep: [...this.before], afterStep: [...this.after] });
  }
}

/** Starts a programmatic pipeline definition. */
export const definePipeline = (options: PipelineOptions): PipelineBuilder => new PipelineBuilder(options);
