import { StepError } from '../errors/errors';
import { runInStep } from './current-step';
import type { StepContext } from '../model/step-context';
import type { Executor, StepChannel } from '../ports/executor';
import type { StepRequest } from '../model/step-request';

/**
 * The context a step body receives. Data are plain fields; `log`, `metric` and `spawn` are bound
 * to the channel on first use (most steps never call them), so destructuring them works.
 */
class ChannelStepContext implements StepContext {
  readonly params: StepContext['params'];
  readonly parents: StepContext['parents'];
  readonly pipeline: StepContext['pipeline'];
  readonly runId: string;
  readonly step: string;
  readonly attempt: number;
  readonly artifacts: StepContext['artifacts'];
  private readonly channel: StepChannel;

  constructor(request: StepRequest, channel: StepChannel) {
    this.params = request.params;
    this.parents = request.parents;
    this.pipeline = request.pipeline;
    this.runId = request.runId;
    this.step = request.step;
    this.attempt = request.attempt;
    this.artifacts = channel.artifacts;
    this.channel = channel;
  }

  /** Read from the channel when asked: most steps never look, and a signal is made on demand. */
  get signal(): AbortSignal {
    return this.channel.signal;
  }

  get log(): StepContext['log'] {
    return bindOnce(this, 'log', (message: string) => this.channel.log(message));
  }

  get metric(): StepContext['metric'] {
    return bindOnce(this, 'metric', (name: string, value: number) => this.channel.metric(name, value));
  }

  get spawn(): StepContext['spawn'] {
    return bindOnce(this, 'spawn', ((template, options) => this.channel.spawn(template, options)) as StepContext['spawn']);
  }

  get waitFor(): StepContext['waitFor'] {
    const channel = this.channel;
    return bindOnce(this, 'waitFor', ((name, options) => (channel.waitFor ? channel.waitFor(name, options) : this.unsupported('waitFor')())) as StepContext['waitFor']);
  }

  get sleep(): StepContext['sleep'] {
    const channel = this.channel;
    return bindOnce(this, 'sleep', (ms: number) => (channel.sleep ? channel.sleep(ms) : this.unsupported('sleep')()));
  }

  /** Durable waits need the controller's journal: a channel that cannot reach it refuses them. */
  private unsupported(what: string): () => Promise<never> {
    return () => Promise.reject(new StepError('WAIT_NOT_SUPPORTED', this.step, `Step '${this.step}' called ctx.${what}, which this executor does not support (durable waits run in the controller's process only, for now).`));
  }
}

const bindOnce = <T>(target: object, key: string, fn: T): T => {
  Object.defineProperty(target, key, { value: fn, enumerable: true });
  return fn;
};

/** Builds the context a step body receives from a request and its channel. */
export const createStepContext = (request: StepRequest, channel: StepChannel): StepContext => new ChannelStepContext(request, channel);

/** The default executor: runs each attempt in the controller's own process. */
export class InProcessExecutor implements Executor {
  /**
   * Not `async`: an async wrapper around an async step body costs each step one more promise
   * and the ticks of adopting the body's. A synchronous throw still comes back as a rejection.
   */
  execute(request: StepRequest, channel: StepChannel): Promise<unknown> {
    try {
      const local = channel.local;
      if (local === undefined) throw new Error(`InProcessExecutor cannot run step '${request.step}' without its local scope.`);
      const ctx = createStepContext(request, channel);
      const body = local.node.body;
      // Everything the body does, awaits included, knows its step (see currentStep).
      const value = runInStep(ctx, () => {
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
      });
      return Promise.resolve(value); // the body's own promise when it returned one
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async close(): Promise<void> {}
}
