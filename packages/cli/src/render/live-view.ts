import { styleText } from 'node:util';
import logUpdate from 'log-update';
import type { RunResult, StepStatus } from '@pipewright/core';
import { captureConsole } from './console-capture';
import { fitRows, ordered } from './fit-rows';
import { formatDuration, padColumns, truncate } from './format';
import { showCommandFor } from './reporter';
import type { Reporter, RunHeader, ShownRun } from './reporter';
import { RunBoard } from './run-board';

type Style = Parameters<typeof styleText>[0];

const SYMBOL: Record<StepStatus, readonly [string, Style]> = {
  pending: ['·', 'gray'],
  queued: ['◌', 'gray'],
  running: ['▶', 'cyan'],
  retrying: ['↻', 'yellow'],
  waiting: ['⏸', 'magenta'],
  succeeded: ['✔', 'green'],
  cached: ['✔', 'blue'],
  failed: ['✖', 'red'],
  skipped: ['⊘', 'gray'],
  aborted: ['■', 'red'],
};

/** Shortest pause between two redraws: events can come by the thousand. */
const FRAME_MS = 80;
/** How often running steps' durations move on when no event arrives. */
const TICK_MS = 250;
const BAR_WIDTH = 30;

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  /** Colours; off when `NO_COLOR` is set. */
  readonly color?: boolean;
  /** Clock, for durations of running steps. */
  readonly now?: () => number;
}

/**
 * The terminal view of a run: each step with its status symbol, attempts and duration, the
 * latest log line or metric, and an overall progress bar; redrawn in place (log-update) on
 * events, at most once per frame, and on a slow tick while steps run. Never taller than the
 * terminal (finished steps collapse first); console output of steps and callbacks is printed
 * above it rather than torn by it.
 */
export class LiveView implements Reporter {
  private readonly update: ReturnType<typeof logUpdate.create>;
  private readonly color: boolean;
  private readonly now: () => number;
  private board: RunBoard | undefined;
  private header: RunHeader | undefined;
  private message: string | undefined;
  private lastDraw = 0;
  private pending: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private finished = false;
  private restoreConsole: (() => void) | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream,
    options: LiveViewOptions = {},
  ) {
    this.update = logUpdate.create(out);
    this.color = options.color ?? process.env['NO_COLOR'] === undefined;
    this.now = options.now ?? Date.now;
  }

  attach(run: ShownRun, header: RunHeader): void {
    this.header = header;
    const board = new RunBoard(run.graph, { pipeline: header.pipeline, version: header.version, runId: run.id });
    this.board = board;
    this.restoreConsole = captureConsole((text) => this.print(text));
    run.events$.subscribe((event) => {
      board.apply(event);
      this.schedule();
    });
    this.ticker = setInterval(() => {
      if (board.busy()) this.schedule();
    }, TICK_MS);
    this.ticker.unref();
    this.draw();
  }

  notice(message: string): void {
    this.message = message;
    this.schedule();
  }

  finish(result: RunResult): void {
    this.stopTimers();
    this.releaseConsole();
    this.message = undefined;
    this.draw();
    this.update.done();
    this.finished = true;
    const failures = Object.entries(result.steps).filter(([, step]) => step.status === 'failed' || step.status === 'aborted');
    for (const [name, step] of failures) {
      this.out.write(`${this.paint('red', `✖ ${name}`)}: ${step.error?.message ?? step.status}\n`);
    }
    const [symbol, style] = result.status === 'succeeded' ? SYMBOL.succeeded : result.status === 'aborted' ? SYMBOL.aborted : SYMBOL.failed;
    const storePath = this.header?.storePath;
    const kept = storePath === undefined ? '' : ` · ${showCommandFor(result.runId, storePath)}`;
    this.out.write(`${this.paint(style, `${symbol} ${result.status}`)} in ${formatDuration(result.elapsedMs)} · run ${result.runId}${kept}\n`);
  }

  abandon(): void {
    this.stopTimers();
    this.releaseConsole();
    if (!this.finished) this.update.done();
    this.finished = true;
  }

  /** Writes `text` above the view: the frame is cleared, the text written, the frame drawn again. */
  private print(text: string): void {
    if (this.finished || this.board === undefined) {
      this.out.write(`${text}\n`);
      return;
    }
    this.update.clear();
    this.out.write(`${text}\n`);
    this.lastDraw = this.now();
    this.update(this.render(this.board));
  }

  private releaseConsole(): void {
    this.restoreConsole?.();
    this.restoreConsole = undefined;
  }

  private schedule(): void {
    if (this.pending !== undefined || this.finished) return;
    const wait = FRAME_MS - (this.now() - this.lastDraw);
    if (wait <= 0) {
      this.draw();
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.draw();
    }, wait);
  }

  private stopTimers(): void {
    if (this.pending !== undefined) clearTimeout(this.pending);
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.pending = undefined;
    this.ticker = undefined;
  }

  private draw(): void {
    const board = this.board;
    if (board === undefined || this.finished) return;
    this.lastDraw = this.now();
    this.update(this.render(board));
  }

  private render(board: RunBoard): string {
    // A pseudo-terminal without a size reports 0 columns.
    const width = Math.max(40, this.out.columns || 100);
    // Header, bar, a notice, and the line the cursor rests on; a pseudo-terminal without a size reports 0 rows.
    const room = Math.max(3, (this.out.rows || 24) - 4);
    const fitted = fitRows(ordered(board), room);
    const rows = fitted.rows;
    const labelWidth = Math.min(32, Math.max(...rows.map((row) => row.label.length + row.depth * 2), 4));
    const lines = [this.paint('bold', `${board.pipeline}@${board.version}`) + this.paint('gray', ` · run ${board.runId}`)];
    for (const row of rows) {
      const [symbol, style] = SYMBOL[row.status];
      const label = padColumns(truncate(`${'  '.repeat(row.depth)}${row.label}`, labelWidth), labelWidth);
      const attempts = row.attempts === 0 ? '' : `attempt ${row.attempts}`;
      const duration = row.startedAt === undefined ? '' : formatDuration((row.endedAt ?? this.now()) - row.startedAt);
      const rest = ` ${label}  ${row.status.padEnd(9)}  ${attempts.padEnd(10)} ${duration.padStart(8)}`;
      const room = width - rest.length - 6;
      const detail = row.detail === undefined || room < 8 ? '' : `  ${truncate(row.detail.replace(/\s+/g, ' '), room)}`;
      lines.push(`  ${this.paint(style, symbol)}${detail === '' ? rest.trimEnd() : rest}${this.paint('gray', detail)}`);
    }
    for (const summary of fitted.summaries) lines.push(`  ${this.paint('gray', truncate(summary, width - 3))}`);
    lines.push(this.bar(board));
    if (this.message !== undefined) lines.push(this.paint('yellow', this.message));
    return lines.join('\n');
  }

  private bar(board: RunBoard): string {
    const { done, total } = board.progress();
    const ratio = total === 0 ? 1 : done / total;
    const filled = Math.round(ratio * BAR_WIDTH);
    const elapsed = board.elapsedMs ?? (board.startedAt === undefined ? 0 : this.now() - board.startedAt);
    const style: Style = board.status === 'running' ? 'cyan' : board.status === 'succeeded' ? 'green' : 'red';
    return (
      `  ${this.paint(style, '█'.repeat(filled))}${this.paint('gray', '░'.repeat(BAR_WIDTH - filled))}` +
      ` ${done}/${total} steps ${String(Math.round(ratio * 100)).padStart(3)}% · ${formatDuration(elapsed)}` +
      (board.status === 'running' ? '' : ` · ${board.status}`)
    );
  }

  private paint(style: Style, text: string): string {
    return this.color && text !== '' ? styleText(style, text) : text;
  }
}
