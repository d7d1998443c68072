import { registry, scanPipeline } from '@pipewright/core';
import type { Constructor, StepContext, StepRequest } from '@pipewright/core';
import type { DependencyContainer } from 'tsyringe';
import { DistributedError } from './errors';

/** The code a step request names, ready to run with its context. */
export type Work = (ctx: StepContext) => unknown;

/**
 * The code a request names, found only among registered classes (a job's payload is data and
 * never names code to load). Each job resolves its class in a child of `container`.
 */
export const resolveWork = (request: StepRequest, container: DependencyContainer, agent: string): Work => {
  const { template, pipeline, step } = request;
  if (template !== undefined) {
    const target = template.kind === 'task' ? registry.find('task', template.name, template.version) : undefined;
    if (target === undefined) {
      const known = registry.list('task').map((entry) => `${entry.name}@${entry.version}`);
      throw new DistributedError(
        'UNKNOWN_TEMPLATE',
        `Agent ${agent} has no @Task '${template.name}@${template.version}' for step '${step}' (it knows: ${known.join(', ') || 'none'}). Load the module that declares it with the agent's modules.`,
      );
    }
    return (ctx) => (container.createChildContainer().resolve(target) as { execute(ctx: StepContext): unknown }).execute(ctx);
  }
  const target: Constructor | undefined = registry.find('pipeline', pipeline.name, pipeline.version);
  if (target === undefined) {
    const known = registry.list('pipeline').map((entry) => `${entry.name}@${entry.version}`);
    throw new DistributedError(
      'UNKNOWN_PIPELINE',
      `Agent ${agent} has no @Pipeline '${pipeline.name}@${pipeline.version}' (it knows: ${known.join(', ') || 'none'}). Load the module that declares it with the agent's modules.`,
    );
  }
  const node = scanPipeline(target).graph.get(step);
  if (node === undefined || node.body.kind !== 'method') {
    throw new DistributedError('UNKNOWN_STEP', `Pipeline '${pipeline.name}@${pipeline.version}' has no method step '${step}' on agent ${agent}.`);
  }
  const method = node.body.method;
  return (ctx) => (container.createChildContainer().resolve(target) as Record<string, (ctx: StepContext) => unknown>)[method]?.(ctx);
};
