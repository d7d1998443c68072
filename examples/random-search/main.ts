import 'reflect-metadata';
import { Engine } from '@pipewright/core';
import type { RunResult } from '@pipewright/core';
import { RandomSearch } from './search-pipeline';
import { runWhenMain } from '../shared/run-when-main';

/** Runs the random search and prints the ranking. */
export async function main(params: { trials?: number; seed?: number } = {}): Promise<RunResult> {
  const engine = new Engine();
  try {
    const result = await engine.run(RandomSearch, { params });
    const output = result.steps.search?.output as { ranked: Array<{ trial: string; lr: number; epochs: number; l2: number; accuracy: number; loss: number }> } | undefined;
    for (const trial of output?.ranked ?? []) {
      console.log(`${trial.trial}  lr=${String(trial.lr).padEnd(6)} epochs=${String(trial.epochs).padEnd(3)} l2=${String(trial.l2).padEnd(6)} loss=${trial.loss.toFixed(3)} accuracy=${trial.accuracy.toFixed(3)}`);
    }
    return result;
  } finally {
    await engine.close();
  }
}

runWhenMain(module, main);
