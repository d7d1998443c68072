import 'reflect-metadata';
import { Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';
import { COLUMNS, makeFlowers, toCsv } from './synthetic-iris';

/** Parameters of {@link CreateDatasetTask}. */
export interface CreateDatasetParams {
  readonly rows: number;
  readonly seed: number;
}

/**
 * ClearML's "Pipeline step 1 dataset artifact": makes the data set and stores it as the
 * `dataset` artifact. Here the data is generated (no download), reproducibly from `seed`.
 */
@Task({ name: 'pipeline step 1 dataset artifact', params: { rows: 150, seed: 1 } })
export class CreateDatasetTask {
  async execute(ctx: StepContext<CreateDatasetParams>): Promise<{ rows: number; columns: string[] }> {
    const flowers = makeFlowers(ctx.params.rows, ctx.params.seed);
    await ctx.artifacts.put('dataset', toCsv(flowers));
    ctx.log(`stored ${flowers.length} rows as artifact 'dataset'`);
    return { rows: flowers.length, columns: [...COLUMNS] };
  }
}
