import 'reflect-metadata';
import { Pipeline, Step } from '@pipewright/core';
import type { ParentsOf, StepContext } from '@pipewright/core';
import { encodeTable, makeCustomerTable, splitDataset } from '../tabular-training/synthetic-table';
import type { CustomerRow } from '../tabular-training/synthetic-table';

/** The data-preparation pipeline: generate a raw table, drop implausible rows, encode, split. */
@Pipeline({ name: 'data-preparation', version: '1.0.0', params: { rows: 300, seed: 9, testFraction: 0.25 } })
export class DataPreparation {
  @Step()
  extract(ctx: StepContext) {
    const rows = makeCustomerTable(ctx.pipeline.params.rows as number, ctx.pipeline.params.seed as number);
    // A few broken records, as real extracts have (a missing income is null: outputs are JSON).
    return [...rows, { age: -1, income: 50_000, region: 'north', churned: 0 } as CustomerRow, { age: 40, income: null, region: 'east', churned: 1 } as unknown as CustomerRow];
  }

  @Step({ parents: ['extract'] })
  clean(ctx: StepContext<object, ParentsOf<DataPreparation, 'extract'>>) {
    const kept = ctx.parents.extract.filter((row) => row.age > 0 && Number.isFinite(row.income));
    ctx.log(`dropped ${ctx.parents.extract.length - kept.length} broken rows`);
    return kept;
  }

  @Step({ parents: ['clean'] })
  split(ctx: StepContext<object, ParentsOf<DataPreparation, 'clean'>>) {
    return splitDataset(encodeTable(ctx.parents.clean), ctx.pipeline.params.testFraction as number, ctx.pipeline.params.seed as number);
  }
}
