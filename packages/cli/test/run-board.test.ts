import { definePipeline, Engine } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { fitRows } from '../src/render/fit-rows';
import { RunBoard } from '../src/render/run-board';
import type { BoardRow } from '../src/render/run-board';

const waitForAbort = (ctx: StepContext): Promise<never> =>
  new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));

describe('the live view board', () => {
  it('counts only the steps that ran once a run is aborted (1/3, not 3/3)', async () => {
    const definition = definePipeline({ name: 'stoppable' })
      .addFunctionStep('a', () => 1)
      .addFunctionStep('b', waitForAbort, { parents: ['a'] })
      .addFunctionStep('c', () => 3, { parents: ['b'] })
      .build();
    const engine = new Engine();
    const run = engine.start(definition);
    const board = new RunBoard(run.graph, { pipeline: 'stoppable', version: '0.0.0', runId: run.id });
    run.events$.subscribe((event) => {
      board.apply(event);
      if (event.type === 'step.started' && event.step === 'b') void run.stop('user asked');
    });
    const result = await run.result;
    await engine.close();
    expect(result.status).toBe('aborted');
    expect(board.status).toBe('aborted');
    expect(board.progress()).toEqual({ done: 1, total: 3 });
  });

  it('forgets an earlier attempt\'s error once the step starts again and succeeds', () => {
    const definition = definePipeline({ name: 'detail' }).addFunctionStep('a', () => 1).build();
    const board = new RunBoard(definition.graph, { pipeline: 'detail', version: '0.0.0', runId: 'r' });
    const base = { runId: 'r', step: 'a', at: 1 };
    board.apply({ ...base, type: 'step.retrying', attempt: 1, error: { message: 'flaky upstream', name: 'Error' } } as never);
    expect(board.rows.get('a')?.detail).toBe('flaky upstream');
    board.apply({ ...base, type: 'step.started', attempt: 2 } as never);
    expect(board.rows.get('a')?.detail).toBeUndefined();
    board.apply({ ...base, type: 'step.log', attempt: 2, message: 'fetched' } as never);
    board.apply({ ...base, type: 'step.succeeded', attempt: 2, output: 1 } as never);
    expect(board.rows.get('a')?.detail).toBeUndefined();
  });

  it('fits rows into the room: finished steps collapse first, then the least urgent', () => {
    const row = (label: string, status: BoardRow['status']): BoardRow => ({ label, depth: 0, status, attempts: 0, startedAt: undefined, endedAt: undefined, detail: undefined });
    const rows = [row('a', 'succeeded'), row('b', 'cached'), row('c', 'failed'), row('d', 'running'), row('e', 'pending'), row('f', 'pending')];
    expect(fitRows(rows, 6)).toEqual({ rows, summaries: [] });
    expect(fitRows(rows, 5)).toEqual({ rows: rows.slice(2), summaries: ['✔ 2 finished (1 succeeded, 1 cached)'] });
    expect(fitRows(rows, 4)).toEqual({ rows: [rows[2], rows[3]], summaries: ['✔ 2 finished (1 succeeded, 1 cached)', '… 2 more (2 pending)'] });
  });
});
