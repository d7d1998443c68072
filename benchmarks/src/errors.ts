/** Why a benchmark refused to report a figure. */
export type BenchmarkErrorCode =
  | 'WRONG_RESULT' // a step ran other than once, or an output did not reach a child
  | 'BAD_OPTION' // the command line asked for something that does not exist
  | 'ENGINE_UNAVAILABLE' // e.g. the SQLite store is not built yet
  | 'WORKER_FAILED' // the child process running one engine × workload died or reported an error
  | 'DISTRIBUTED_FAILED'; // the BullMQ benchmark failed or printed no valid JSON report

/** An error of the benchmark harness; `code` is stable. */
export class BenchmarkError extends Error {
  constructor(
    readonly code: BenchmarkErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BenchmarkError';
  }
}
