import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

/** What a reviewer sends: `pipewright signal <runId> approval --data '{"ok":true,"by":"ana"}'`. */
export interface Decision {
  readonly ok: boolean;
  readonly by: string;
}

/**
 * Train, wait for a human to approve the model, cool down, deploy. The wait and the sleep are
 * durable: the run survives its process (a crash, a redeploy of the controller), the step holds
 * no concurrency slot while it waits, and a signal sent while nobody drives the run is kept.
 */
@Pipeline({ name: 'approval', version: '1.0.0', params: { rows: 100, coolDownMs: 50, reviewHours: 24 } })
export class ApprovalPipeline {
  @Step()
  train(ctx: StepContext) {
    const rows = ctx.pipeline.params.rows as number;
    return { rows, accuracy: Math.min(0.99, 0.8 + rows / 10_000) };
  }

  @Step({ parents: ['train'] })
  async approve(ctx: StepContext<Record<string, never>, { train: { accuracy: number } }>) {
    ctx.log(`model at accuracy ${ctx.parents.train.accuracy}: waiting for approval`);
    const decision = await ctx.waitFor<Decision>('approval', { timeoutMs: (ctx.pipeline.params.reviewHours as number) * 3_600_000 });
    if (!decision.ok) throw new Error(`the model was rejected by ${decision.by}`);
    ctx.log(`approved by ${decision.by}; cooling down before the deploy`);
    await ctx.sleep(ctx.pipeline.params.coolDownMs as number);
    return decision;
  }

  @Step({ parents: ['approve'] })
  deploy(ctx: StepContext<Record<string, never>, { approve: Decision; train: { accuracy: number } }>) {
    return { deployed: true, approvedBy: ctx.parents.approve.by };
  }
}

/** What `pipewright serve --module examples/approval/approval-pipeline.ts` fires: a run every night at 3. */
export const schedules = [{ pipeline: ApprovalPipeline, cron: '0 3 * * *', timezone: 'UTC', params: { rows: 1_000 } }];
