import 'reflect-metadata';
import { filter, firstValueFrom } from 'rxjs';
import { Engine, EngineError, Pipeline, Step } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

const calls: string[] = [];

@Pipeline({ name: 'operate-core-spec', params: { factor: 2 } })
class OperateCore {
  @Step()
  load() {
    calls.push('load');
    return 10;
  }

  @Step({ parents: ['load'] })
  scale(ctx: StepContext) {
    calls.push('scale');
    return (ctx.parents.load as number) * (ctx.pipeline.params.factor as number);
  }

  @Step({ parents: ['scale'] })
  async hold(ctx: StepContext) {
    calls.push('hold');
    if (ctx.pipeline.params.factor !== 99) return 'free';
    await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    return 'never';
  }
}

beforeEach(() => {
  calls.length = 0;
});

describe('operating runs in one process', () => {
  it('stopRun() stops a run this engine drives, with the reason on its aborted steps', async () => {
    const engine = new Engine();
    const run = engine.start(OperateCore, { params: { factor: 99 } });
    await firstValueFrom(run.events$.pipe(filter((event) => event.type === 'step.started' && event.step === 'hold')));
    await engine.stopRun(run.id, 'operator said so');
    const result = await run.result;
    expect(result.status).toBe('aborted');
    expect(result.steps.hold?.error).toMatchObject({ code: 'RUN_STOPPED', message: expect.stringContaining('operator said so') });
    await engine.close();
  });

  it('stopRun() names an unknown run', async () => {
    const engine = new Engine();
    const error = await engine.stopRun('ghost').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'RUN_NOT_FOUND', runId: 'ghost' });
    await engine.close();
  });

  it('fork() keeps the steps upstream of `from` and runs it and its descendants with the new params', async () => {
    const engine = new Engine();
    const first = await engine.run(OperateCore);
    expect(calls).toEqual(['load', 'scale', 'hold']);
    calls.length = 0;
    const fork = engine.fork(first.runId, { from: 'scale', params: { factor: 3 } });
    const result = await fork.result;
    expect(calls).toEqual(['scale', 'hold']);
    expect(result).toMatchObject({ status: 'succeeded', steps: { load: { output: 10 }, scale: { output: 30 } } });
    expect(result.steps.load?.startedAt).toBe(first.steps.load?.startedAt);
    expect((await engine.inspect(fork.id)).run.input).toEqual({ factor: 3 });
    await engine.close();
  });

  it('fork() refuses an unknown run and an unknown step with their names', async () => {
    const engine = new Engine();
    const first = await engine.run(OperateCore);
    expect(() => engine.fork('ghost', { from: 'scale' })).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND', runId: 'ghost' }));
    expect(() => engine.fork(first.runId, { from: 'nope' })).toThrow(expect.objectContaining({ name: 'EngineError', code: 'STEP_NOT_FOUND', subject: 'nope' }));
    await engine.close();
  });

  it('recover() finds nothing to recover in a memory store: its runs live and die with the engine', async () => {
    const engine = new Engine();
    const run = engine.start(OperateCore, { params: { factor: 99 } });
    expect(await engine.interrupted()).toEqual([]);
    expect(await engine.recover()).toEqual([]);
    await run.stop();
    await engine.close();
  });
});
