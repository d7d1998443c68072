import { main } from '../approval/main';

describe('example: approval (a durable wait for a human)', () => {
  let log: jest.SpyInstance;
  beforeAll(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterAll(() => log.mockRestore());

  it('waits for the approval signal, cools down, then deploys', async () => {
    const result = await main({ ok: true, by: 'ana' });
    expect(result.status).toBe('succeeded');
    expect(result.steps.approve?.output).toEqual({ ok: true, by: 'ana' });
    expect(result.steps.deploy?.output).toEqual({ deployed: true, approvedBy: 'ana' });
    expect(result.steps.approve?.logs.map((line) => line.message)).toEqual(['model at accuracy 0.81: waiting for approval', 'approved by ana; cooling down before the deploy']);
    expect(log).toHaveBeenCalledWith("approve: waiting for signal 'approval'");
  });

  it('a rejection fails the approval and never deploys', async () => {
    const result = await main({ ok: false, by: 'bob' });
    expect(result.status).toBe('failed');
    expect(result.steps.approve?.error?.message).toBe('the model was rejected by bob');
    expect(result.steps.deploy?.status).toBe('skipped');
  });
});
