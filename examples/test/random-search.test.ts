import type { RunResult } from '@pipewright/core';
import { main } from '../random-search/main';
import { sampleTrial } from '../random-search/search-pipeline';
import { seededRandom } from '../shared/random';

interface Ranked {
  trial: string;
  lr: number;
  epochs: number;
  l2: number;
  accuracy: number;
  loss: number;
}

const trialsOf = (result: RunResult) => Object.entries(result.steps).filter(([name]) => name.startsWith('trial-'));

describe('example: manual random parameter search', () => {
  let log: jest.SpyInstance;
  beforeAll(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterAll(() => log.mockRestore());

  it('spawns one trial per sampled configuration, with exactly the sampled parameters', async () => {
    const result = await main();
    expect(result.status).toBe('succeeded');
    const random = seededRandom(2024);
    const expected = Array.from({ length: 8 }, () => sampleTrial(random));
    const trials = trialsOf(result).sort(([a], [b]) => a.localeCompare(b));
    expect(trials.map(([name]) => name)).toEqual(['trial-01', 'trial-02', 'trial-03', 'trial-04', 'trial-05', 'trial-06', 'trial-07', 'trial-08']);
    trials.forEach(([, step], i) => {
      expect(step.status).toBe('succeeded');
      expect(step.output).toMatchObject(expected[i] as object);
    });
  });

  it('picks the trial with the lowest validation loss, from the trials’ own outputs', async () => {
    const result = await main();
    const { best, ranked } = result.steps.search?.output as { best: Ranked; ranked: Ranked[] };
    const losses = trialsOf(result).map(([name, step]) => [name, (step.output as Ranked).loss] as const);
    const lowest = losses.reduce((a, b) => (b[1] < a[1] ? b : a));
    expect(best.trial).toBe(lowest[0]);
    expect(best.loss).toBe(lowest[1]);
    expect(ranked).toHaveLength(8);
    expect(ranked.map((trial) => trial.loss)).toEqual([...ranked.map((trial) => trial.loss)].sort((a, b) => a - b));
  });

  it('runs trials at once but never more than the pipeline’s concurrency of 3', async () => {
    const result = await main();
    const spans = trialsOf(result).map(([, step]) => [step.startedAt as number, step.endedAt as number] as const);
    const overlap = Math.max(...spans.map(([start]) => spans.filter(([from, to]) => from <= start && start < to).length));
    expect(overlap).toBeGreaterThanOrEqual(2);
    expect(overlap).toBeLessThanOrEqual(3);
  });

  it('is reproducible under the same seed and explores elsewhere under another', async () => {
    const first = (await main()).steps.search?.output as { ranked: Ranked[] };
    const again = (await main()).steps.search?.output as { ranked: Ranked[] };
    const other = (await main({ seed: 7, trials: 3 })).steps.search?.output as { ranked: Ranked[] };
    expect(again.ranked).toEqual(first.ranked);
    expect(other.ranked).toHaveLength(3);
    expect(other.ranked.map((trial) => trial.lr)).not.toEqual(first.ranked.slice(0, 3).map((trial) => trial.lr));
  });
});
