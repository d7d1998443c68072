import type { RunResult } from '@pipewright/core';
import { describeEvent } from './describe-event';
import { formatDuration } from './format';
import { showCommandFor } from './reporter';
import type { Reporter, RunHeader, ShownRun } from './reporter';

/**
 * One plain line per event, for logs and pipes: `+  120 ms  step.started    train (attempt 1)`.
 * Offsets count from the run's start.
 */
export class PlainReporter implements Reporter {
  private header: RunHeader | undefined;

  constructor(private readonly out: NodeJS.WritableStream) {}

  attach(run: ShownRun, header: RunHeader): void {
    this.header = header;
    let startedAt: number | undefined;
    run.events$.subscribe((event) => {
      startedAt ??= event.at;
      const offset = `+${String(event.at - startedAt).padStart(6)} ms`;
      this.out.write(`${offset}  ${event.type.padEnd(14)} ${describeEvent(event)}\n`);
    });
  }

  notice(message: string): void {
    this.out.write(`${message}\n`);
  }

  finish(result: RunResult): void {
    const steps = Object.entries(result.steps);
    const counts = new Map<string, number>();
    for (const [, step] of steps) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
    const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
    const storePath = this.header?.storePath;
    const kept = storePath === undefined ? '' : `; details: ${showCommandFor(result.runId, storePath)}`;
    this.out.write(`run ${result.runId} ${result.status} in ${formatDuration(result.elapsedMs)} (${tally || 'no steps'})${kept}\n`);
  }

  abandon(): void {}
}
