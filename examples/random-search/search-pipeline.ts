import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { seededRandom } from '../shared/random';
import { EvaluateConfig } from './evaluate-config';
import type { TrialParams, TrialScore } from './evaluate-config';

/** Draws one configuration: learning rate log-uniform in [0.001, 3], epochs in [5, 60], L2 in [0, 0.2]. */
export const sampleTrial = (random: () => number): TrialParams => ({
  lr: Number((10 ** (-3 + random() * Math.log10(3000))).toPrecision(3)),
  epochs: 5 + Math.floor(random() * 56),
  l2: Number((random() * 0.2).toFixed(3)),
});

/**
 * ClearML's manual random parameter search: a controller step samples configurations, launches a
 * clone of the trial task for each (all at once, bounded by the pipeline's concurrency), waits for
 * them all, and keeps the best by validation loss (then by accuracy). Seeded, so reruns agree.
 */
@Pipeline({ name: 'random-search', version: '1.0.0', params: { trials: 8, seed: 2024 }, concurrency: 3 })
export class RandomSearch {
  @Step()
  async search(ctx: StepContext) {
    const random = seededRandom(ctx.pipeline.params.seed as number);
    const count = ctx.pipeline.params.trials as number;
    const configs = Array.from({ length: count }, () => sampleTrial(random));
    const scores = await Promise.all(
      configs.map((params, i) => ctx.spawn(EvaluateConfig, { name: `trial-${String(i + 1).padStart(2, '0')}`, params: { ...params } })),
    );
    const ranked = scores.map((score, i) => ({ trial: `trial-${String(i + 1).padStart(2, '0')}`, ...score })).sort((a, b) => a.loss - b.loss || b.accuracy - a.accuracy);
    const best = ranked[0] as TrialScore & { trial: string };
    ctx.log(`best of ${count}: ${best.trial} (lr=${best.lr}, epochs=${best.epochs}, l2=${best.l2}) loss ${best.loss.toFixed(3)}, accuracy ${best.accuracy.toFixed(3)}`);
    return { best, ranked };
  }
}
