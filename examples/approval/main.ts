import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { RunResult } from '@pipewright/core';
import { ApprovalPipeline } from './approval-pipeline';
import type { Decision } from './approval-pipeline';
import { runWhenMain } from '../shared/run-when-main';

/**
 * Starts the approval pipeline and plays the reviewer: once the `approve` step waits, it sends
 * the `approval` signal (from another process, that is `pipewright signal <runId> approval --data …`).
 */
export async function main(decision: Decision = { ok: true, by: 'ana' }): Promise<RunResult> {
  const engine = new Engine();
  try {
    const run = engine.start(ApprovalPipeline);
    const waiting = new Promise<void>((resolve) =>
      run.events$.subscribe((event) => {
        if (event.type === 'step.log' || event.type === 'step.waiting') console.log(`${event.step}: ${event.message}`);
        if (event.type === 'step.waiting' && event.step === 'approve') resolve();
      }),
    );
    await waiting;
    await engine.signal(run.id, 'approval', decision);
    const result = await run.result;
    console.log(`run ${result.status}: ${JSON.stringify(result.steps.deploy?.output ?? result.steps.approve?.error?.message)}`);
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, () => main());
