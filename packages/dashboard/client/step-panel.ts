import type { GraphNode } from '../src/view-model';
import { segment } from './api';
import { metricChart } from './charts';
import { formatBytes, formatDuration, formatTime, h, replaceChildren, statusBadge } from './dom';
import type { ErrorLike, StepState } from './run-state';

/** Logs shown at once; older lines are summarised (a step may log thousands). */
const MAX_LOG_LINES = 500;

const json = (value: unknown): string => {
  if (value === undefined) return '—';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
};

const section = (title: string, ...content: Parameters<typeof h>[2][]): HTMLElement =>
  h('section', { class: 'panel-section', 'aria-label': title }, h('h3', {}, title), ...content);

const errorBlock = (error: ErrorLike): HTMLElement => {
  const chain: ErrorLike[] = [];
  for (let current: ErrorLike | undefined = error; current !== undefined && chain.length < 8; current = current.cause) chain.push(current);
  return h(
    'div',
    { class: 'error-block', role: 'alert' },
    chain.map((item, index) =>
      h(
        'div',
        { class: 'error-item' },
        h('p', {}, index > 0 ? 'Caused by ' : '', h('strong', {}, item.name ?? 'Error'), item.code ? h('code', { class: 'code' }, item.code) : '', ': ', item.message),
        item.stack ? h('details', { open: index === 0 }, h('summary', {}, 'Stack trace'), h('pre', { class: 'stack' }, item.stack)) : null,
      ),
    ),
  );
};

/** What the panel needs from the page. */
export interface PanelContext {
  readonly runId: string;
  readonly canDownload: boolean;
  readonly canRerun: boolean;
  readonly rerun: (step: string) => void;
}

/**
 * The details of the selected step: status and times, params, output, error with its stack and
 * causes, logs, one chart per metric, artifacts to download, and Rerun from this step.
 */
export const renderStepPanel = (panel: HTMLElement, node: GraphNode, step: StepState | undefined, context: PanelContext): void => {
  const status = step?.status ?? 'pending';
  const duration = step?.startedAt === undefined ? undefined : (step.endedAt ?? Date.now()) - step.startedAt;
  const logs = step?.logs ?? [];
  const artifacts = Object.values(step?.artifacts ?? {});
  const topLevel = node.group === undefined;
  replaceChildren(
    panel,
    h('div', { class: 'panel-head' }, h('h2', { id: 'step-title' }, node.key), statusBadge(status)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Kind'), h('dd', {}, node.kind === 'pipeline' ? 'nested pipeline' : node.kind === 'spawned' ? `spawned by ${node.spawnedBy ?? '?'}` : 'step'),
      h('dt', {}, 'Attempts'), h('dd', {}, String(step?.attempts ?? 0)),
      h('dt', {}, 'Started'), h('dd', {}, formatTime(step?.startedAt)),
      h('dt', {}, 'Duration'), h('dd', {}, formatDuration(duration)),
      node.queue ? [h('dt', {}, 'Queue'), h('dd', {}, node.queue)] : null,
      step?.agent ? [h('dt', {}, 'Agent'), h('dd', { class: 'mono' }, step.agent)] : null,
      node.parents.length > 0 ? [h('dt', {}, 'Parents'), h('dd', {}, node.parents.join(', '))] : null,
    ),
    topLevel && context.canRerun
      ? h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'rerun', onclick: () => context.rerun(node.key) }, 'Rerun from this step')
      : null,
    step?.skippedBecause ? h('p', { class: 'muted' }, `Skipped: ${step.skippedBecause}`) : null,
    step?.error ? section('Error', errorBlock(step.error)) : null,
    section('Parameters', node.params === undefined ? h('p', { class: 'muted' }, 'Computed at run time, or not known here.') : h('pre', { class: 'json' }, json(node.params))),
    section('Output', h('pre', { class: 'json' }, json(step?.output))),
    step !== undefined && step.metrics.size > 0 ? section('Metrics', h('div', { class: 'charts' }, [...step.metrics].map(([name, series]) => metricChart(name, series)))) : null,
    section(
      `Logs (${logs.length})`,
      logs.length === 0
        ? h('p', { class: 'muted' }, 'No log lines.')
        : h(
            'ol',
            { class: 'logs', 'aria-label': `Log of ${node.key}` },
            logs.length > MAX_LOG_LINES ? h('li', { class: 'muted' }, `${logs.length - MAX_LOG_LINES} earlier lines not shown`) : null,
            logs.slice(-MAX_LOG_LINES).map((line) => h('li', {}, h('time', {}, new Date(line.at).toLocaleTimeString()), ' ', line.message)),
          ),
    ),
    artifacts.length > 0
      ? section(
          'Artifacts',
          h(
            'ul',
            { class: 'artifacts' },
            artifacts.map((artifact) =>
              h(
                'li',
                {},
                context.canDownload && step?.stored === true
                  ? h('a', { href: `api/runs/${segment(context.runId)}/steps/${segment(node.key)}/artifacts/${segment(artifact.name)}`, download: artifact.name }, artifact.name)
                  : h('span', {}, artifact.name),
                h('span', { class: 'muted' }, ` ${formatBytes(artifact.size)}`),
              ),
            ),
          ),
        )
      : null,
  );
};
