// The examples of README.md, word for word: the last test checks that each README block is here.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectable } from 'tsyringe';
import { Pipeline, Step } from '@pipewright/core';
import type { ParentsOf, StepContext } from '@pipewright/core';
import { eventTrail, expectEventsInOrder, skipTime, testPipeline, testStep } from '@pipewright/testing';

@injectable()
class Warehouse {
  async orders(): Promise<number[]> {
    throw new Error('no warehouse in tests');
  }
}

@Pipeline({ name: 'readme-orders', params: { vat: 0.2 } })
class Orders {
  constructor(private readonly warehouse: Warehouse) {}

  @Step({ retry: { retries: 3, minTimeout: 10_000 } })
  async load() {
    return { amounts: await this.warehouse.orders() };
  }

  @Step({ parents: ['load'] })
  total(ctx: StepContext<Record<string, never>, ParentsOf<Orders, 'load'>>) {
    const net = ctx.parents.load.amounts.reduce((sum, amount) => sum + amount, 0);
    ctx.log(`${ctx.parents.load.amounts.length} orders`);
    ctx.metric('net', net);
    return { gross: net * (1 + (ctx.pipeline.params.vat as number)) };
  }
}

describe('README examples', () => {
  afterEach(() => jest.useRealTimers());

  it('testStep', async () => {
    const { output, logs, metrics } = await testStep(Orders, 'total', {
      parents: { load: { amounts: [10, 20] } },
      pipelineParams: { vat: 0.5 },
    });
    expect(output).toEqual({ gross: 45 });
    expect(logs).toEqual(['2 orders']);
    expect(metrics).toEqual({ net: 30 });

    await expect(testStep(Orders, 'total')).rejects.toMatchObject({ code: 'MISSING_PARENT', step: 'total', parent: 'load' });
  });

  it('testPipeline', async () => {
    const run = await testPipeline(Orders, {
      params: { vat: 0 },
      services: [[Warehouse, { orders: async () => [5, 7] }]],
    });
    expect(run.status).toBe('succeeded');
    expect(run.steps.total?.output).toEqual({ gross: 12 });

    const faked = await testPipeline(Orders, { fakes: { load: () => ({ amounts: [1] }) } });
    expect(faked.steps.total?.output).toEqual({ gross: 1.2 });
  });

  it('events', async () => {
    const run = await testPipeline(Orders, { fakes: { load: () => ({ amounts: [] }) } });
    expect(eventTrail(run.events, { types: ['step.started', 'step.succeeded', 'run.'] })).toEqual([
      'run.started',
      'step.started load',
      'step.succeeded load',
      'step.started total',
      'step.succeeded total',
      'run.succeeded',
    ]);
    expectEventsInOrder(run.events, ['step.succeeded load', 'step.log total', 'run.succeeded']);
  });

  it('fake timers', async () => {
    jest.useFakeTimers();
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls < 3) throw new Error('warehouse busy');
      return [42];
    };
    const pending = testPipeline(Orders, { services: [[Warehouse, { orders: flaky }]] });
    await jest.advanceTimersByTimeAsync(20_000); // two backoffs of 10 s, in no real time
    const run = await pending;
    expect(run.steps.load?.attempts).toBe(3);
    expectEventsInOrder(run.events, ['step.retrying load', 'step.retrying load', 'step.succeeded load']);
  });

  it('skipTime', async () => {
    jest.useFakeTimers();
    const busy = async (): Promise<number[]> => {
      throw new Error('warehouse busy');
    };
    const run = await skipTime(
      testPipeline(Orders, { services: [[Warehouse, { orders: busy }]] }),
      () => jest.advanceTimersToNextTimerAsync(),
    );
    expect(run.steps.load).toMatchObject({ status: 'failed', attempts: 4 });
  });

  it('every TypeScript block of README.md is one of the examples above', () => {
    const lines = (text: string): string => text.split('\n').map((line) => line.trim()).join('\n');
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => lines(match[1] as string).trim());
    const source = lines(readFileSync(__filename, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(source).toContain(block);
  });
});
