import { h, s } from './dom';

const WIDTH = 280;
const HEIGHT = 90;
const PAD = { left: 40, right: 8, top: 8, bottom: 18 };

const label = (text: string, attributes: Readonly<Record<string, string | number>>): SVGElement => {
  const element = s('text', attributes);
  element.textContent = text;
  return element;
};

const short = (value: number): string => (Math.abs(value) >= 1000 || (Math.abs(value) < 0.01 && value !== 0) ? value.toExponential(1) : String(Number(value.toPrecision(3))));

/**
 * One metric as an inline SVG line chart over its reports (x: report index, y: value), with
 * its range and last value; a single report is a dot. A table with the values is given to
 * assistive technology instead of the picture.
 */
export const metricChart = (name: string, series: ReadonlyArray<{ at: number; value: number }>): HTMLElement => {
  const values = series.map((point) => point.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || Math.abs(max) || 1;
  const innerWidth = WIDTH - PAD.left - PAD.right;
  const innerHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number): number => PAD.left + (series.length === 1 ? innerWidth / 2 : (index / (series.length - 1)) * innerWidth);
  const y = (value: number): number => PAD.top + innerHeight - ((value - (max === min ? min - span / 2 : min)) / (max === min ? span : span)) * innerHeight;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, 'aria-hidden': 'true' });
  svg.append(
    s('line', { class: 'chart-axis', x1: PAD.left, y1: PAD.top + innerHeight, x2: WIDTH - PAD.right, y2: PAD.top + innerHeight }),
    label(short(max), { class: 'chart-tick', x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end' }),
    label(short(min), { class: 'chart-tick', x: PAD.left - 4, y: PAD.top + innerHeight, 'text-anchor': 'end' }),
    label(`${series.length} report${series.length === 1 ? '' : 's'}`, { class: 'chart-tick', x: WIDTH - PAD.right, y: HEIGHT - 4, 'text-anchor': 'end' }),
  );
  if (series.length > 1) {
    const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    svg.append(s('polyline', { class: 'chart-line', points }));
  }
  const last = values.length - 1;
  svg.append(s('circle', { class: 'chart-dot', cx: x(last), cy: y(values[last] as number), r: 3 }));
  const table = h(
    'table',
    { class: 'sr-only' },
    h('caption', {}, `Values of ${name}`),
    h('tbody', {}, series.slice(-50).map((point, index) => h('tr', {}, h('td', {}, String(index + 1)), h('td', {}, String(point.value))))),
  );
  return h(
    'figure',
    { class: 'metric', 'data-metric': name },
    h('figcaption', {}, h('span', { class: 'metric-name' }, name), h('span', { class: 'metric-value' }, short(values[last] as number))),
    svg,
    table,
  );
};
