import type { GraphNode } from '../src/view-model';
import { h, s } from './dom';
import { layoutDag } from './dag-layout';
import type { Layout } from './dag-layout';

const KIND_LABEL: Readonly<Record<string, string>> = { pipeline: 'nested pipeline', spawned: 'spawned step', step: 'step' };

const pathOf = (points: Layout['edges'][number]['points']): string =>
  points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');

/**
 * The run's DAG: an SVG layer of edges and nested-pipeline boxes under one button per step,
 * placed by dagre. Each button carries `data-step` and `data-status`. Keyboard: one node is in
 * the tab order (roving tabindex); arrow keys move between nodes, Home/End jump to the first and
 * last, Enter or Space selects.
 */
export class DagView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private order: string[] = [];
  private selected: string | undefined;
  private focusable: string | undefined;

  constructor(private readonly onSelect: (key: string) => void) {
    this.canvas = h('div', { class: 'dag-canvas' });
    this.element = h('div', { class: 'dag', role: 'group', 'aria-label': 'Pipeline graph: arrow keys move between steps, Enter shows one' }, this.canvas);
    this.canvas.addEventListener('keydown', (event) => this.onKey(event));
    this.canvas.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-step]');
      if (button !== null) this.onSelect(button.dataset.step as string);
    });
  }

  /** Lays out and draws the nodes; statuses come from `statusOf`. */
  draw(nodes: readonly GraphNode[], statusOf: (key: string) => string): void {
    const placed = layoutDag(nodes);
    const svg = s('svg', { class: 'dag-edges', width: placed.width + 32, height: placed.height + 32, 'aria-hidden': 'true' });
    svg.append(
      s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
    );
    for (const group of placed.groups) {
      svg.append(s('rect', { class: 'dag-group', x: group.x, y: group.y, width: group.width, height: group.height, rx: 10 }));
      const title = s('text', { class: 'dag-group-label', x: group.x + 12, y: group.y + 18 });
      title.textContent = `${group.key} · nested pipeline`;
      svg.append(title);
    }
    for (const edge of placed.edges) svg.append(s('path', { class: `dag-edge edge-${edge.kind}`, d: pathOf(edge.points), 'marker-end': 'url(#arrow)' }));
    this.buttons.clear();
    const layer = h('div', { class: 'dag-nodes' });
    for (const { node, x, y } of placed.nodes) {
      const status = statusOf(node.key);
      const button = h(
        'button',
        {
          type: 'button',
          class: `node kind-${node.kind}`,
          'data-step': node.key,
          'data-status': status,
          tabindex: -1,
          'aria-label': `${node.key}, ${KIND_LABEL[node.kind] ?? 'step'}, ${status}`,
          'aria-pressed': node.key === this.selected ? 'true' : 'false',
        },
        h('span', { class: 'node-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'node-name' }, node.name),
        h('span', { class: 'node-status' }, node.kind === 'step' ? status : `${status} · ${node.kind === 'pipeline' ? 'nested' : 'spawned'}`),
      );
      // Through the CSSOM: the page's Content-Security-Policy forbids style attributes.
      button.style.left = `${x}px`;
      button.style.top = `${y}px`;
      this.buttons.set(node.key, button);
      layer.append(button);
    }
    this.order = placed.nodes.slice().sort((a, b) => a.x - b.x || a.y - b.y).map((placedNode) => placedNode.node.key);
    // dagre's size leaves out the cluster boxes' borders: a margin keeps them whole.
    this.canvas.style.width = `${placed.width + 32}px`;
    this.canvas.style.height = `${placed.height + 32}px`;
    this.canvas.replaceChildren(svg, layer);
    this.setFocusable(this.focusable !== undefined && this.buttons.has(this.focusable) ? this.focusable : this.order[0]);
  }

  /** Moves one node to a new status without a new layout. */
  setStatus(key: string, status: string, kind: string): void {
    const button = this.buttons.get(key);
    if (button === undefined || button.dataset.status === status) return;
    button.dataset.status = status;
    button.setAttribute('aria-label', `${key}, ${KIND_LABEL[kind] ?? 'step'}, ${status}`);
    const label = button.querySelector('.node-status');
    if (label !== null) label.textContent = kind === 'step' ? status : `${status} · ${kind === 'pipeline' ? 'nested' : 'spawned'}`;
  }

  /** Marks the selected node and brings it into view. */
  select(key: string, focus: boolean): void {
    if (this.selected !== undefined) this.buttons.get(this.selected)?.setAttribute('aria-pressed', 'false');
    this.selected = key;
    const button = this.buttons.get(key);
    if (button === undefined) return;
    button.setAttribute('aria-pressed', 'true');
    this.setFocusable(key);
    button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    if (focus) button.focus();
  }

  private setFocusable(key: string | undefined): void {
    if (this.focusable !== undefined) this.buttons.get(this.focusable)?.setAttribute('tabindex', '-1');
    this.focusable = key;
    if (key !== undefined) this.buttons.get(key)?.setAttribute('tabindex', '0');
  }

  private onKey(event: KeyboardEvent): void {
    const current = (event.target as HTMLElement).dataset.step;
    if (current === undefined || this.order.length === 0) return;
    const index = this.order.indexOf(current);
    const moves: Readonly<Record<string, number>> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -Infinity, End: Infinity };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = Math.min(this.order.length - 1, Math.max(0, Number.isFinite(move) ? index + move : move < 0 ? 0 : this.order.length - 1));
    const key = this.order[next] as string;
    this.setFocusable(key);
    this.buttons.get(key)?.focus();
  }
}
