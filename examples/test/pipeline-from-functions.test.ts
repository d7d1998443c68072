import { buildPipeline, main } from '../pipeline-from-functions/main';

describe('example: pipeline from functions', () => {
  let log: jest.SpyInstance;
  beforeAll(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterAll(() => log.mockRestore());

  it('builds a four-step chain from plain functions', () => {
    const { graph } = buildPipeline();
    expect(graph.order).toEqual(['step_one', 'step_two', 'step_three', 'step_four']);
    expect(graph.parentsOf('step_four')).toEqual(['step_two', 'step_three']);
  });

  it('loads, splits, trains and evaluates: the stored model classifies the held-out flowers', async () => {
    const result = await main();
    expect(result.status).toBe('succeeded');
    expect(result.steps.step_one?.output).toHaveLength(150);
    const split = result.steps.step_two?.output as { train: unknown[]; test: unknown[] };
    expect([split.train.length, split.test.length]).toEqual([120, 30]);
    expect(result.steps.step_three?.artifacts.model).toBeDefined();
    const evaluation = result.steps.step_four?.output as { accuracy: number; tested: number };
    expect(evaluation.tested).toBe(30);
    expect(evaluation.accuracy).toBeGreaterThan(0.9);
    expect(result.steps.step_four?.metrics.accuracy).toBe(evaluation.accuracy);
  });

  it('passes pipeline parameters through references', async () => {
    const result = await main({ rows: 60, testSize: 0.5 });
    const split = result.steps.step_two?.output as { train: unknown[]; test: unknown[] };
    expect([split.train.length, split.test.length]).toEqual([30, 30]);
  });
});
