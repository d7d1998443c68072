import 'reflect-metadata';
import { main } from '../callbacks/main';
import { statusLog } from '../callbacks/status-log';
import type { Validation } from '../callbacks/pipeline';

const messagesOf = (result: Awaited<ReturnType<typeof main>>, step: string): string[] =>
  result.steps[step]?.logs.map((entry) => entry.message) ?? [];

describe('the callbacks example', () => {
  describe('with its default parameters (a quarter of the orders are invalid)', () => {
    let lines: string[];
    let result: Awaited<ReturnType<typeof main>>;
    beforeAll(async () => {
      lines = [];
      result = await main({ print: (line) => lines.push(line) });
    });

    it('succeeds while preExecute skips publish, and notify with it, because too many orders were rejected', () => {
      expect(result.status).toBe('succeeded');
      expect((result.steps.validate?.output as Validation).invalidRatio).toBeGreaterThan(0.2);
      expect(result.steps.publish?.status).toBe('skipped');
      expect(result.steps.publish?.error?.message).toBe('preExecute returned false');
      expect(result.steps.notify?.status).toBe('skipped');
      expect(result.steps.summarize?.output).toBe('31 valid orders');
    });

    it('lets preExecute override the parameter the step runs with', () => {
      expect((result.steps.validate?.output as Validation).minAmount).toBe(0);
    });

    it('runs @BeforeStep and @AfterStep around every step that runs, and postExecute for its own step', () => {
      for (const step of ['ingest', 'validate', 'summarize']) {
        const messages = messagesOf(result, step);
        expect(messages[0]).toMatch(new RegExp(`^@BeforeStep: ${step} with `));
        expect(messages.at(-1)).toMatch(new RegExp(`^@AfterStep: ${step} succeeded in \\d+ ms$`));
      }
      expect(messagesOf(result, 'validate')).toContain('postExecute: 9 of 40 orders rejected');
      // publish was created and its @BeforeStep ran, but it was skipped: no @AfterStep.
      expect(messagesOf(result, 'publish')).toEqual(['@BeforeStep: publish with {}']);
      expect(messagesOf(result, 'notify')).toEqual([]);
    });

    it('calls onStepCreated for every step that gets that far and onStepCompleted only for steps that ran', () => {
      expect(lines.filter((line) => line.startsWith('onStepCreated: ')).sort()).toEqual([
        'onStepCreated: ingest',
        'onStepCreated: publish',
        'onStepCreated: summarize',
        'onStepCreated: validate',
      ]);
      expect(lines.filter((line) => line.startsWith('onStepCompleted: ')).sort()).toEqual([
        'onStepCompleted: ingest succeeded after 1 attempt(s)',
        'onStepCompleted: summarize succeeded after 1 attempt(s)',
        'onStepCompleted: validate succeeded after 1 attempt(s)',
      ]);
    });

    it('logs every status change, in order, and forgets the run once reported', () => {
      expect(lines).toContain('  status: pending → queued → running → succeeded');
      const skips = lines.filter((line) => line === '  status: pending → skipped');
      expect(skips).toHaveLength(2);
      expect(statusLog.historyOf(result.runId)).toEqual({});
    });
  });

  it('publishes and notifies when the run tolerates more invalid orders', async () => {
    const result = await main({ params: { maxInvalidRatio: 0.5 }, print: () => undefined });
    expect(result.status).toBe('succeeded');
    expect(result.steps.publish?.output).toEqual({ published: 31 });
    expect(result.steps.notify?.output).toBe('notified subscribers of 31 orders');
  });

  it('counts fewer rejections when the run lowers minAmount, through the preExecute override', async () => {
    const result = await main({ params: { minAmount: -100, maxInvalidRatio: 0.5 }, print: () => undefined });
    const validation = result.steps.validate?.output as Validation;
    expect(validation.minAmount).toBe(-100);
    expect(validation.invalid).toBe(6);
  });
});
