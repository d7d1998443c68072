import { main } from '../pipeline-of-pipelines/main';

describe('example: pipeline of pipelines', () => {
  let lines: string[];
  let log: jest.SpyInstance;
  beforeEach(() => {
    lines = [];
    log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  });
  afterEach(() => log.mockRestore());

  it('runs data preparation as a nested pipeline, feeds its split to the training pipeline, and reports', async () => {
    const result = await main();
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.steps).sort()).toEqual(['prepare', 'report', 'training']);
    const prepared = result.steps.prepare?.output as { extract: unknown[]; clean: unknown[]; split: { train: { y: number[] }; test: { y: number[] } } };
    // the two broken rows were dropped, and the split covers the rest
    expect(prepared.extract).toHaveLength(302);
    expect(prepared.clean).toHaveLength(300);
    expect(prepared.split.train.y.length + prepared.split.test.y.length).toBe(300);
    const trained = result.steps.training?.output as { evaluate: { accuracy: number } };
    expect(trained.evaluate.accuracy).toBeGreaterThan(0.8);
    expect(result.steps.report?.output).toEqual({ rows: 300, accuracy: trained.evaluate.accuracy });
  });

  it('streams the inner steps through the outer run’s events with their paths, in order', async () => {
    await main();
    expect(lines.filter((line) => line.startsWith('step.'))).toEqual([
      'step.succeeded  prepare / extract',
      'step.succeeded  prepare / clean',
      'step.succeeded  prepare / split',
      'step.succeeded  prepare',
      'step.succeeded  training / fit',
      'step.succeeded  training / evaluate',
      'step.succeeded  training',
      'step.succeeded  report',
    ]);
  });

  it('passes the outer run’s params down: an empty extract fails the training pipeline and so the run', async () => {
    const result = await main({ rows: 0 });
    expect(result.status).toBe('failed');
    expect(result.steps.prepare?.status).toBe('succeeded');
    expect(result.steps.training?.status).toBe('failed');
    expect(result.steps.training?.error?.message).toContain('no training rows were given');
    expect(result.steps.report?.status).toBe('skipped');
  });
});
