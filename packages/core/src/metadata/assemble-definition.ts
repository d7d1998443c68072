import { DEFAULT_VERSION } from '../decorators/constants';
import type { Constructor, PipelineOptions } from '../model/options';
import { PipelineDefinitionError } from '../errors/errors';
import { PipelineGraph } from '../graph/pipeline-graph';
import type { PipelineDefinition, StepHook } from './pipeline-definition';
import { checkInjectable } from './injection-check';
import type { StepDraft } from './step-factory';
import { checkReferencedSteps, createStepNode } from './step-factory';

/** What only the scanner or only the builder knows. */
export interface DefinitionParts {
  readonly target: Constructor | undefined;
  readonly beforeStep: readonly StepHook[];
  readonly afterStep: readonly StepHook[];
}

const checkPositive = (value: number | undefined, option: string, pipeline: string, integer: boolean): void => {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || (integer && !Number.isInteger(value))) {
    throw new PipelineDefinitionError('INVALID_OPTION', `Pipeline '${pipeline}': ${option} must be ${integer ? 'an integer' : 'a number'} ≥ 1, got ${String(value)}.`, {
      pipeline,
    });
  }
};

/**
 * Validates pipeline options and steps, and assembles the definition: the one path by which
 * both a decorated class (scanner) and the programmatic builder become a {@link PipelineDefinition}.
 */
export const assembleDefinition = (options: PipelineOptions, drafts: readonly StepDraft[], parts: DefinitionParts): PipelineDefinition => {
  checkPositive(options.concurrency, 'concurrency', options.name, true);
  checkPositive(options.timeoutMs, 'timeoutMs', options.name, false);
  const scope = { pipeline: options.name, params: options.params ?? {} };
  const nodes = drafts.map((draft) => createStepNode(draft, scope));
  checkReferencedSteps(nodes, scope);
  for (const node of nodes) {
    if (node.body.kind === 'template' && node.body.template.kind === 'task') checkInjectable(node.body.template.target, options.name, 'Task class');
  }
  return {
    name: options.name,
    version: options.version ?? DEFAULT_VERSION,
    params: scope.params,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    abortOnFailure: options.abortOnFailure ?? false,
    target: parts.target,
    beforeStep: parts.beforeStep,
    afterStep: parts.afterStep,
    graph: PipelineGraph.from(options.name, nodes),
  };
};
