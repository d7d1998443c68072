// The root README's example, on the flagship pipeline of DESIGN.md.
import 'reflect-metadata';
import { expectEventsInOrder, testPipeline, testStep } from '@pipewright/testing';
import { DataService, MlPipeline } from '../../../examples/flagship/ml-pipeline';

describe('the flagship pipeline, tested with the kit', () => {
  it('evaluate alone, from a given train output and model artifact', async () => {
    const { output } = await testStep(MlPipeline, 'evaluate', {
      parents: { train: { accuracy: 0.9 } },
      parentArtifacts: { train: { model: JSON.stringify({ lr: 0.3 }) } },
      pipelineParams: { rows: 10 },
    });
    expect(output).toEqual({ ok: true, lr: 0.3 });
  });

  it('train alone, with a fake DataService', async () => {
    const fakeData = { rows: (count: number) => Array.from({ length: count }, () => 1) };
    const { output, metrics, artifacts } = await testStep(MlPipeline, 'train', {
      parents: { prepare: { rows: 3 } },
      params: { epochs: 1 },
      services: [[DataService, fakeData]],
    });
    expect(output).toEqual({ accuracy: expect.any(Number) });
    expect(Object.keys(metrics)).toEqual(['loss']);
    expect(JSON.parse(artifacts.model?.toString() ?? '{}')).toEqual({ weights: [1, 1, 1], lr: 0.01 });
  });

  it('the whole pipeline with train faked', async () => {
    const run = await testPipeline(MlPipeline, {
      params: { rows: 5 },
      fakes: {
        train: async (ctx) => {
          await ctx.artifacts.put('model', JSON.stringify({ lr: 0.1 }));
          return { accuracy: 0.5 };
        },
      },
    });
    expect(run.steps.evaluate?.output).toEqual({ ok: false, lr: 0.1 });
    expectEventsInOrder(run.events, ['step.succeeded train', 'step.started evaluate', 'run.succeeded']);
  });
});
