import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { Params, RunResult } from '@pipewright/core';
import { CallbacksPipeline } from './pipeline';
import { statusLog } from './status-log';
import { runWhenMain } from '../shared/run-when-main';

/** Options of {@link main}. */
export interface MainOptions {
  /** Run parameters; the defaults reject a quarter of the orders, so `publish` is skipped. */
  readonly params?: Params;
  /** Where progress lines go; the console by default. */
  readonly print?: (line: string) => void;
}

/**
 * Runs the callbacks pipeline with run-level callbacks too (ClearML's
 * `step_task_created_callback` / `step_task_completed_callback`), then prints each step's logs
 * and status history.
 */
export async function main(options: MainOptions = {}): Promise<RunResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const engine = new Engine();
  try {
    const result = await engine.run(CallbacksPipeline, {
      params: options.params ?? {},
      onStepCreated: (ctx) => print(`onStepCreated: ${ctx.step}`),
      onStepCompleted: (ctx, step) => print(`onStepCompleted: ${ctx.step} ${step.status} after ${step.attempts} attempt(s)`),
    });
    const history = statusLog.historyOf(result.runId);
    statusLog.forget(result.runId);
    for (const [name, step] of Object.entries(result.steps)) {
      print(`\n${name}: ${step.status}${step.error ? ` (${step.error.message})` : ''}`);
      for (const entry of step.logs) print(`  log: ${entry.message}`);
      if (history[name]) print(`  status: ${history[name].join(' → ')}`);
    }
    print(`\nrun ${result.status} in ${result.elapsedMs} ms`);
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
