import type { MeasuredRow } from './harness';

const engineLabel = (row: MeasuredRow): string => (row.store === 'memory' ? row.engine : `${row.engine}:${row.store}`);

const fixed = (value: number, digits: number): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A 10-step run takes microseconds: small figures keep three decimals. */
const digits = (ms: number): number => (ms < 1 ? 3 : ms < 10 ? 2 : 1);

/** Memory the run added over the process after loading and building the workload, per step. */
export const kbPerStep = (row: MeasuredRow): number => (Math.max(0, row.peakRssMb - row.baseRssMb) * 1024) / row.steps;

/**
 * The rows as a text table. `× floor` divides by the Promise floor's time on the same workload in
 * the same run; `× n/10` divides by the same engine's time at a tenth of the steps (linear
 * scaling is 10); `KB/step` is peak RSS above the pre-run baseline, per step (not for batches). `CPU` columns are
 * the process's user + system time per run; the `small` rows are per run of a batch.
 */
export const formatTable = (rows: readonly MeasuredRow[]): string => {
  const find = (row: MeasuredRow, engine: string, steps: number): MeasuredRow | undefined =>
    rows.find((other) => other.workload === row.workload && other.steps === steps && engineLabel(other) === engine);
  const header = ['workload', 'steps', 'edges', 'engine', 'median ms', 'µs/step', 'CPU ms', 'CPU µs/step', '× floor', '× n/10', 'peak MB', 'KB/step'];
  const lines = rows.map((row) => {
    const floor = find(row, 'promise-floor', row.steps);
    const tenth = find(row, engineLabel(row), row.steps / 10);
    return [
      row.workload,
      row.steps.toLocaleString('en-US'),
      row.edges.toLocaleString('en-US'),
      engineLabel(row),
      fixed(row.medianMs, digits(row.medianMs)),
      fixed(row.usPerStep, 2),
      fixed(row.cpuMs, digits(row.cpuMs)),
      fixed(row.cpuUsPerStep, 2),
      floor ? fixed(row.medianMs / floor.medianMs, 1) : '–',
      tenth ? fixed(row.medianMs / tenth.medianMs, 1) : '–',
      fixed(row.peakRssMb, 0),
      row.batch > 1 ? '–' : fixed(kbPerStep(row), 2), // a long-lived engine keeps every run of the measurement: per step of one run it means nothing
    ];
  });
  const widths = header.map((title, c) => Math.max(title.length, ...lines.map((line) => (line[c] as string).length)));
  const left = new Set([0, 3]);
  const render = (cells: readonly string[]): string =>
    cells.map((cell, c) => (left.has(c) ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const samples = rows
    .filter((row) => row.samples.length > 0)
    .map((row) => `RSS during ${engineLabel(row)} ${row.workload} of ${row.steps.toLocaleString('en-US')}: ` + row.samples.map((s) => `${(s.steps / 1000).toLocaleString('en-US')}k ${fixed(s.rssMb, 0)} MB`).join(', '));
  return [render(header), rule, ...lines.map(render), ...(samples.length > 0 ? ['', ...samples] : [])].join('\n');
};
