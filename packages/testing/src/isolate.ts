import { PipelineGraph } from '@pipewright/core';
import type { PipelineDefinition, StepContext, StepHook, StepNode, StepResult } from '@pipewright/core';
import type { DependencyContainer } from 'tsyringe';

/** Artifacts a parent stand-in stores before the step under test runs, by name. */
export type ArtifactFakes = Readonly<Record<string, Uint8Array | string>>;

/** What the step under test gets from each parent. */
export interface ParentStandIns {
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly artifacts: Readonly<Record<string, ArtifactFakes>>;
}

/**
 * A node whose work is `fn`: everything else (parents, options, parameters) is the original's.
 * A template step keeps its template's defaults by cloning a stand-in class under the same
 * name; a nested pipeline becomes such a task, run in place of the child run.
 */
export const withBody = (node: StepNode, fn: (ctx: StepContext) => unknown): StepNode => {
  if (node.body.kind !== 'template') return { ...node, body: { kind: 'function', fn } };
  class Fake {
    execute(ctx: StepContext): unknown {
      return fn(ctx);
    }
  }
  return { ...node, body: { kind: 'template', template: { ...node.body.template, kind: 'task', target: Fake } } };
};

const standIn = (name: string, output: unknown, artifacts: ArtifactFakes): StepNode => ({
  name,
  parents: [],
  options: {},
  declaredParams: {},
  body: {
    kind: 'function',
    fn: async (ctx) => {
      for (const [artifact, data] of Object.entries(artifacts)) await ctx.artifacts.put(artifact, data);
      return output;
    },
  },
});

/**
 * A pipeline of the step under test and one stand-in per parent that returns the output the
 * test gave: the step then runs through the real engine, so its parameters, references,
 * callbacks, retries, timeouts, artifacts and spawns behave as in a run. Pipeline-wide hooks
 * are kept, but skip the stand-ins, which are not steps of the user's pipeline.
 */
export const isolateStep = (definition: PipelineDefinition, step: string, given: ParentStandIns, container: DependencyContainer): PipelineDefinition => {
  const node = definition.graph.get(step) as StepNode;
  const standIns = new Set(node.parents);
  const nodes = node.parents.map((parent) => standIn(parent, given.outputs[parent], given.artifacts[parent] ?? {}));
  const graph = PipelineGraph.from(definition.name, [...nodes, node]);
  const instance = hooksNeedInstance(definition) ? shareInstance(definition, container) : undefined;
  const skip = (hook: StepHook): StepHook => ({
    kind: 'function',
    fn: (ctx: StepContext, result?: StepResult) => {
      if (standIns.has(ctx.step)) return undefined;
      if (hook.kind === 'function') return hook.fn(ctx, result);
      return (instance as Record<string, (ctx: StepContext, result?: StepResult) => unknown>)[hook.method]?.(ctx, result);
    },
  });
  return { ...definition, graph, beforeStep: definition.beforeStep.map(skip), afterStep: definition.afterStep.map(skip) };
};

const hooksNeedInstance = (definition: PipelineDefinition): boolean =>
  definition.target !== undefined && [...definition.beforeStep, ...definition.afterStep].some((hook) => hook.kind === 'method');

/**
 * Method hooks are called on the run's pipeline instance. The run resolves its instance from a
 * child of `container`; registering one here makes it the same object the hooks are called on.
 */
const shareInstance = (definition: PipelineDefinition, container: DependencyContainer): unknown => {
  const target = definition.target as NonNullable<PipelineDefinition['target']>;
  let instance: unknown;
  try {
    instance = container.resolve(target);
  } catch {
    // A missing service: the run fails to construct it too, and reports that as the step's failure.
    return undefined;
  }
  container.register(target, { useValue: instance });
  return instance;
};
