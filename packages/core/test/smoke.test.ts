import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { BeforeStep, Engine, Pipeline, Step, Task } from '@pipewright/core';
import type { PipelineEvent, RunResult, StepContext } from '@pipewright/core';

// The example of DESIGN.md ("The public API"), as written, plus what it promises.

@injectable()
class DataService {
  readonly source = 'warehouse';
}

const audited: string[] = [];

@Task({ name: 'smoke-train-model', params: { lr: 0.01, epochs: 3 } })
class TrainModel {
  constructor(private readonly data: DataService) {}
  async execute(ctx: StepContext<{ lr: number; epochs: number }>) {
    ctx.log(`training with lr=${ctx.params.lr} on ${this.data.source}`);
    await ctx.artifacts.put('model', Buffer.from('weights'));
    return { accuracy: 0.91 };
  }
}

@Pipeline({ name: 'smoke-ml', version: '1.0.0', params: { rows: 1000, lr: 0.01 } })
class MlPipeline {
  @Step()
  async prepare(ctx: StepContext) {
    return { rows: ctx.pipeline.params.rows as number };
  }

  @Step({ parents: ['prepare'], template: TrainModel, params: { epochs: 5, lr: '${pipeline.lr}' } })
  train!: TrainModel;

  @Step({ parents: ['train'], retry: 2, timeoutMs: 60_000 })
  async evaluate(ctx: StepContext) {
    return { ok: ctx.parents.train.accuracy > 0.8 };
  }

  @BeforeStep() audit(ctx: StepContext) {
    audited.push(ctx.step);
  }
}

describe('the DESIGN.md example', () => {
  it('runs as written and succeeds with the outputs it shows', async () => {
    const engine = new Engine();
    const result: RunResult = await engine.run(MlPipeline, { params: { rows: 10 } });
    expect(result.status).toBe('succeeded');
    expect(result.steps.train?.output).toEqual({ accuracy: 0.91 });
    expect(result.steps.prepare?.output).toEqual({ rows: 10 });
    expect(result.steps.evaluate?.output).toEqual({ ok: true });
    expect(result.steps.train?.logs.map((line) => line.message)).toEqual(['training with lr=0.01 on warehouse']);
    expect(Object.keys(result.steps.train?.artifacts ?? {})).toEqual(['model']);
    expect(audited).toEqual(['prepare', 'train', 'evaluate']);
    await engine.close();
  });

  it('streams the run through events$ and stops on request', async () => {
    const engine = new Engine();
    const run = engine.start(MlPipeline);
    const seen: string[] = [];
    run.events$.subscribe((e: PipelineEvent) => seen.push(`${e.type}${'step' in e ? ` ${e.step}` : ''}`));
    const result = await run.stop('user asked');
    expect(result.status).toBe('aborted');
    expect(seen[0]).toBe('run.started');
    expect(seen.at(-1)).toBe('run.aborted');
    await engine.close();
  });
});
