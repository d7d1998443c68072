import type { RunResult } from '@pipewright/core';
import { toJsonLine } from './format';
import type { Reporter, ShownRun } from './reporter';

/**
 * Events as JSON lines on stdout, then the final `RunResult` as one last JSON line: for
 * programs. The CLI's own messages go to stderr so stdout stays parseable.
 */
export class JsonReporter implements Reporter {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
  ) {}

  attach(run: ShownRun): void {
    run.events$.subscribe((event) => this.out.write(`${toJsonLine(event)}\n`));
  }

  notice(message: string): void {
    this.err.write(`${message}\n`);
  }

  finish(result: RunResult): void {
    this.out.write(`${toJsonLine(result)}\n`);
  }

  abandon(): void {}
}
