import type { StepContext } from '../engine/step-context';
import type { Executor, StepChannel, StepRequest } from './executor';

/** Builds the context a step body receives from a request and its channel. */
export const createStepContext = (request: StepRequest, channel: StepChannel): StepContext => ({
  params: request.params,
  parents: request.parents,
  pipeline: request.pipeline,
  runId: request.runId,
  step: request.step,
  attempt: request.attempt,
  signal: channel.signal,
  log: channel.log,
  metric: channel.metric,
  artifacts: channel.artifacts,
  spawn: channel.spawn,
});

/** The default executor: runs each attempt in the controller's own process. */
export class InProcessExecutor implements Executor {
  async execute(request: StepRequest, channel: StepChannel): Promise<unknown> {
    const local = channel.local;
    if (local === undefined) throw new Error(`InProcessExecutor cannot run step '${request.step}' without its local scope.`);
    const ctx = createStepContext(request, channel);
    const body = local.node.body;
    switch (body.kind) {
      case 'function':
        return body.fn(ctx);
      case 'method':
        return (local.instance as Record<string, (ctx: StepContext) => unknown>)[body.method]?.(ctx);
      case 'template': {
        const instance = local.container.resolve(body.template.target) as { execute(ctx: StepContext): unknown };
        return instance.execute(ctx);
      }
    }
  }

  async close(): Promise<void> {}
}
