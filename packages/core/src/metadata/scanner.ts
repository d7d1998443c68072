import type { Constructor } from '../model/options';
import { PipelineDefinitionError } from '../errors/errors';
import type { PipelineDefinition } from './pipeline-definition';
import { readAfterStepHooks, readBeforeStepHooks, readPipelineOptions, readSteps } from './read-metadata';
import { assembleDefinition } from './assemble-definition';
import { checkInjectable } from './injection-check';
import type { StepDraft } from './step-factory';

const scanned = new WeakMap<Constructor, PipelineDefinition>();

/**
 * Reads a `@Pipeline` class's metadata into a validated {@link PipelineDefinition}.
 * Pure apart from a per-class memo: decorators are fixed once a class exists.
 *
 * Throws `PipelineDefinitionError` (`NOT_A_PIPELINE`, `DUPLICATE_STEP`, `UNKNOWN_PARENT`,
 * `CYCLE`, `INVALID_TEMPLATE`, `BAD_REFERENCE`, `INVALID_OPTION`,
 * `MISSING_INJECTION_METADATA`).
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

  checkInjectable(ctor, options.name, 'Pipeline class');
  const seen = new Set<string>();
  const drafts: StepDraft[] = [];
  for (const record of readSteps(ctor)) {
    if (seen.has(record.member)) {
      throw new PipelineDefinitionError('DUPLICATE_STEP', `Pipeline '${options.name}' declares step '${record.member}' twice.`, {
        pipeline: options.name,
        step: record.member,
      });
    }
    seen.add(record.member);
    const body = record.kind === 'method' ? ({ kind: 'method', method: record.member } as const) : undefined;
    drafts.push({ name: record.member, body, options: record.options });
  }
  const definition = assembleDefinition(options, drafts, {
    target: ctor,
    beforeStep: readBeforeStepHooks(ctor).map((method) => ({ kind: 'method', method })),
    afterStep: readAfterStepHooks(ctor).map((method) => ({ kind: 'method', method })),
  });
  scanned.set(ctor, definition);
  return definition;
};
