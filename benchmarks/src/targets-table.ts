import type { TargetVerdict } from './targets';

const figure = (value: number | null, unit: TargetVerdict['unit']): string => {
  if (value === null) return '–';
  switch (unit) {
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case 'share':
      return `${(value * 100).toFixed(0)}%`;
    case 'ms/run':
      return `${value.toFixed(3)} ms`;
    default:
      return `${value.toFixed(1)} µs`;
  }
};

const verdictOf = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : 'MISSED');

/** The targets section printed after the table: each target, its bound, the figure from wall and CPU time, and the verdict (on wall time). */
export const formatTargets = (verdicts: readonly TargetVerdict[]): string => {
  const header = ['target (issue 16)', 'bound', 'wall', 'CPU', 'verdict', 'from'];
  const lines = verdicts.map((v) => [v.target, `${v.comparison} ${figure(v.threshold, v.unit)}`, figure(v.wall, v.unit), figure(v.cpu, v.unit), verdictOf(v.met), v.detail]);
  const widths = header.map((title, c) => Math.max(title.length, ...lines.map((line) => (line[c] as string).length)));
  const render = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 || c >= 4 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd();
  const met = verdicts.filter((v) => v.met === true).length;
  const measured = verdicts.filter((v) => v.met !== null).length;
  return [
    `Targets, from this run (verdicts on wall time, as the issue measures; CPU time beside): ${met} of ${measured} measured met, ${verdicts.length - measured} not measured`,
    '',
    render(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...lines.map(render),
  ].join('\n');
};
