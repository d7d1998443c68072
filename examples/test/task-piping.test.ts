import { main } from '../task-piping/main';

describe('example: task piping (programmatic orchestration)', () => {
  let log: jest.SpyInstance;
  beforeAll(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterAll(() => log.mockRestore());

  it('clones the template with a changed learning rate, launches it as a child of the controller, and acts on its result', async () => {
    const result = await main();
    expect(result.status).toBe('succeeded');
    const clone = result.steps['baseline-clone'];
    expect(clone?.status).toBe('succeeded');
    expect(clone?.output).toMatchObject({ lr: 0.5 });
    expect(result.steps.baseline?.output).toMatchObject({ lr: 0.01 });

    const decision = result.steps.pipe?.output as { baseline: { accuracy: number }; clone: { accuracy: number }; keep: string };
    // The controller used the clone's real output, not a copy of the baseline's.
    expect(decision.clone).toEqual(clone?.output);
    expect(decision.baseline).toEqual(result.steps.baseline?.output);
    expect(decision.keep).toBe(decision.clone.accuracy > decision.baseline.accuracy ? 'baseline-clone' : 'baseline');
    expect(clone?.startedAt).toBeGreaterThanOrEqual(result.steps.pipe?.startedAt ?? Infinity);
    expect(clone?.endedAt).toBeLessThanOrEqual(result.steps.pipe?.endedAt ?? -Infinity);
  });
});
