import 'reflect-metadata';
import { AfterStep, BeforeStep, Pipeline, Step } from '@pipewright/core';
import type { ParentsOf, StepContext, StepResult } from '@pipewright/core';
import { makeOrders, problemOf } from './orders';
import type { Order } from './orders';
import { statusLog } from './status-log';

/** What `validate` returns. */
export interface Validation {
  readonly valid: number;
  readonly invalid: number;
  readonly invalidRatio: number;
  readonly minAmount: number;
}

const { onStatusChange } = statusLog;

/**
 * ClearML's callbacks, one pipeline: `@BeforeStep` / `@AfterStep` around every step, step
 * options `preExecute` (overriding a parameter, or skipping the step on a condition),
 * `postExecute` and `onStatusChange` (the shared {@link statusLog}).
 */
@Pipeline({ name: 'callbacks-demo', version: '1.0.0', params: { orders: 40, maxInvalidRatio: 0.2, minAmount: 0 } })
export class CallbacksPipeline {
  /** Start time of each step of this run: the pipeline instance belongs to one run. */
  private readonly startedAt = new Map<string, number>();

  @Step({ onStatusChange })
  ingest(ctx: StepContext): { orders: Order[] } {
    const orders = makeOrders(ctx.pipeline.params.orders as number);
    ctx.metric('orders', orders.length);
    return { orders };
  }

  @Step({
    parents: ['ingest'],
    params: { minAmount: 1 },
    onStatusChange,
    // Overrides a parameter from the run's own settings just before the step is queued.
    preExecute: (ctx) => ({ minAmount: ctx.pipeline.params.minAmount }),
    postExecute: (ctx, result) => {
      const output = result.output as Validation | undefined;
      ctx.log(`postExecute: ${output ? `${output.invalid} of ${output.valid + output.invalid} orders rejected` : `no output (${result.status})`}`);
    },
  })
  validate(ctx: StepContext<{ minAmount: number }, ParentsOf<CallbacksPipeline, 'ingest'>>): Validation {
    const { orders } = ctx.parents.ingest;
    const invalid = orders.filter((order) => problemOf(order, ctx.params.minAmount) !== undefined).length;
    ctx.metric('invalid', invalid);
    return { valid: orders.length - invalid, invalid, invalidRatio: invalid / orders.length, minAmount: ctx.params.minAmount };
  }

  @Step({ parents: ['validate'], onStatusChange })
  summarize(ctx: StepContext<Record<string, never>, ParentsOf<CallbacksPipeline, 'validate'>>): string {
    return `${ctx.parents.validate.valid} valid orders`;
  }

  @Step({
    parents: ['validate'],
    onStatusChange,
    // Skips publishing (and so its descendants) when too many orders were rejected.
    preExecute: (ctx) => {
      const { invalidRatio } = ctx.parents.validate as Validation;
      return invalidRatio <= (ctx.pipeline.params.maxInvalidRatio as number);
    },
  })
  publish(ctx: StepContext<Record<string, never>, ParentsOf<CallbacksPipeline, 'validate'>>): { published: number } {
    return { published: ctx.parents.validate.valid };
  }

  @Step({ parents: ['publish'], onStatusChange })
  notify(ctx: StepContext<Record<string, never>, ParentsOf<CallbacksPipeline, 'publish'>>): string {
    return `notified subscribers of ${ctx.parents.publish.published} orders`;
  }

  @BeforeStep()
  before(ctx: StepContext): void {
    this.startedAt.set(ctx.step, Date.now());
    ctx.log(`@BeforeStep: ${ctx.step} with ${JSON.stringify(ctx.params)}`);
  }

  @AfterStep()
  after(ctx: StepContext, result: StepResult): void {
    const took = Date.now() - (this.startedAt.get(ctx.step) ?? Date.now());
    ctx.log(`@AfterStep: ${ctx.step} ${result.status} in ${took} ms`);
  }
}
