import { isTerminal } from '@pipewright/core';
import type { StepStatus } from '@pipewright/core';
import type { BoardRow, RunBoard } from './run-board';

/** Rows to draw, in graph order, and the summary lines that stand for the others. */
export interface FittedRows {
  readonly rows: readonly BoardRow[];
  readonly summaries: readonly string[];
}

// What stays in view first when not every step fits: what moves, then what went wrong, then what waits.
const PRIORITY: Record<StepStatus, number> = {
  running: 0,
  retrying: 0,
  queued: 1,
  waiting: 1,
  failed: 2,
  aborted: 2,
  pending: 3,
  succeeded: 4,
  cached: 4,
  skipped: 4,
};

const count = (rows: readonly BoardRow[]): string => {
  const byStatus = new Map<StepStatus, number>();
  for (const row of rows) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
  return [...byStatus].map(([status, n]) => `${n} ${status}`).join(', ');
};

/**
 * Fits a run's rows into `room` lines, so that the frame never grows taller than the terminal
 * (log-update cannot erase lines that scrolled away, and the view would tear). When they do
 * not all fit, finished steps that went well collapse into one line, then the least urgent of
 * the rest into another.
 */
export const fitRows = (rows: readonly BoardRow[], room: number): FittedRows => {
  if (rows.length <= room) return { rows, summaries: [] };
  const finished = rows.filter((row) => isTerminal(row.status) && PRIORITY[row.status] === 4);
  const open = rows.filter((row) => !finished.includes(row));
  const summaries = finished.length === 0 ? [] : [`✔ ${finished.length} finished (${count(finished)})`];
  const space = Math.max(1, room - summaries.length);
  if (open.length <= space) return { rows: open, summaries };
  const kept = new Set([...open].sort((a, b) => PRIORITY[a.status] - PRIORITY[b.status]).slice(0, Math.max(0, space - 1)));
  const hidden = open.filter((row) => !kept.has(row));
  return { rows: open.filter((row) => kept.has(row)), summaries: [...summaries, `… ${hidden.length} more (${count(hidden)})`] };
};

/** The run's own steps in graph order, each followed by the steps of its nested pipeline. */
export const ordered = (board: RunBoard): BoardRow[] => {
  const entries = [...board.rows];
  const result: BoardRow[] = [];
  const place = (prefix: string, depth: number): void => {
    for (const [key, row] of entries) {
      if (row.depth !== depth || (depth > 0 && !key.startsWith(prefix))) continue;
      result.push(row);
      place(`${key}/`, depth + 1);
    }
  };
  place('', 0);
  return result;
};
