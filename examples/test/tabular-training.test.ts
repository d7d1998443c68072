import { main } from '../tabular-training/main';
import type { TrainedClassifier } from '../tabular-training/train-classifier';

const TRAININGS = ['train_cautious', 'train_balanced', 'train_bold'] as const;

describe('example: tabular training with concurrent steps', () => {
  let log: jest.SpyInstance;
  beforeAll(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterAll(() => log.mockRestore());

  it('trains three models at the same time and picks the one that scores best on held-out rows', async () => {
    const result = await main();
    expect(result.status).toBe('succeeded');

    const trained = TRAININGS.map((name) => result.steps[name]);
    for (const step of trained) {
      expect(step?.status).toBe('succeeded');
      expect(step?.artifacts.model).toBeDefined();
    }
    // They overlapped: every training started before any of them ended.
    const lastStart = Math.max(...trained.map((step) => step?.startedAt ?? Infinity));
    const firstEnd = Math.min(...trained.map((step) => step?.endedAt ?? -Infinity));
    expect(lastStart).toBeLessThanOrEqual(firstEnd);

    const scores = Object.fromEntries(TRAININGS.map((name) => [name, (result.steps[name]?.output as TrainedClassifier).accuracy]));
    const best = result.steps.pick_best?.output as { step: string; accuracy: number; params: { lr: number } };
    expect(best.accuracy).toBe(Math.max(...Object.values(scores)));
    expect(scores[best.step]).toBe(best.accuracy);
    expect(best.accuracy).toBeGreaterThan(0.8);
    // Different hyperparameters really gave different models.
    expect(new Set(Object.values(scores)).size).toBeGreaterThan(1);
  });
});
