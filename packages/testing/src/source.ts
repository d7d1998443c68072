import { scanPipeline } from '@pipewright/core';
import type { PipelineDefinition, PipelineSource } from '@pipewright/core';
import { TestingError } from './errors';

const isDefinition = (source: unknown): source is PipelineDefinition =>
  typeof source === 'object' && source !== null && 'graph' in source && 'name' in source;

/** The definition behind a `@Pipeline` class or a built definition; scanning validates it. */
export const definitionOf = (source: PipelineSource): PipelineDefinition =>
  isDefinition(source) ? source : scanPipeline(source);

/** Throws `UNKNOWN_STEP` unless the pipeline has a step by each name. */
export const assertSteps = (definition: PipelineDefinition, names: Iterable<string>, what: string): void => {
  for (const name of names) {
    if (!definition.graph.has(name)) {
      throw new TestingError(
        'UNKNOWN_STEP',
        `${what} names step '${name}', which pipeline '${definition.name}' does not have. Steps: ${definition.graph.order.join(', ')}.`,
        { step: name },
      );
    }
  }
};
