import { DEFAULT_VERSION } from '../decorators/constants';
import type { Constructor } from '../decorators/options';
import { PipelineDefinitionError } from '../errors/errors';
import { PipelineGraph } from '../graph/pipeline-graph';
import type { StepNode } from '../graph/step-node';
import type { PipelineDefinition } from './pipeline-definition';
import { readAfterStepHooks, readBeforeStepHooks, readPipelineOptions, readSteps } from './read-metadata';
import { checkReferencedSteps, createStepNode } from './step-factory';

const scanned = new WeakMap<Constructor, PipelineDefinition>();

/**
 * Reads a `@Pipeline` class's metadata into a validated {@link PipelineDefinition}.
 * Pure apart from a per-class memo: decorators are fixed once a class exists.
 *
 * Throws `PipelineDefinitionError` (`NOT_A_PIPELINE`, `DUPLICATE_STEP`, `UNKNOWN_PARENT`,
 * `CYCLE`, `INVALID_TEMPLATE`, `BAD_REFERENCE`, `INVALID_OPTION`).
 */
export const scanPipeline = (target: unknown): PipelineDefinition => {
  const options = readPipelineOptions(target);
  if (options === undefined) {
    const what = typeof target === 'function' ? `Class '${target.name || '(anonymous)'}'` : `${String(target)}`;
    throw new PipelineDefinitionError('NOT_A_PIPELINE', `${what} is not a pipeline: decorate it with @Pipeline({ name }).`, {
      pipeline: typeof target === 'function' ? target.name : String(target),
    });
  }
  const ctor = target as Constructor;
  const memo = scanned.get(ctor);
  if (memo) return memo;

  const scope = { pipeline: options.name, params: options.params ?? {} };
  if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new PipelineDefinitionError('INVALID_OPTION', `Pipeline '${options.name}': concurrency must be an integer ≥ 1.`, {
      pipeline: options.name,
    });
  }
  const seen = new Set<string>();
  const nodes: StepNode[] = [];
  for (const record of readSteps(ctor)) {
    if (seen.has(record.member)) {
      throw new PipelineDefinitionError('DUPLICATE_STEP', `Pipeline '${options.name}' declares step '${record.member}' twice.`, {
        pipeline: options.name,
        step: record.member,
      });
    }
    seen.add(record.member);
    const body = record.kind === 'method' ? ({ kind: 'method', method: record.member } as const) : undefined;
    nodes.push(createStepNode({ name: record.member, body, options: record.options }, scope));
  }
  checkReferencedSteps(nodes, scope);

  const definition: PipelineDefinition = {
    name: options.name,
    version: options.version ?? DEFAULT_VERSION,
    params: scope.params,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    abortOnFailure: options.abortOnFailure ?? false,
    target: ctor,
    beforeStep: readBeforeStepHooks(ctor).map((method) => ({ kind: 'method', method })),
    afterStep: readAfterStepHooks(ctor).map((method) => ({ kind: 'method', method })),
    graph: PipelineGraph.from(options.name, nodes),
  };
  scanned.set(ctor, definition);
  return definition;
};
