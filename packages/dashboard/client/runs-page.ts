import type { RunPage, RunRow } from '../src/view-model';
import { getJson, segment } from './api';
import { formatDuration, formatTime, h, replaceChildren, statusBadge } from './dom';

/** How often the list is fetched again, so new runs and status changes show up. */
const REFRESH_MS = 2000;
const PAGE_SIZE = 50;
const STATUSES = ['running', 'succeeded', 'failed', 'aborted'];

interface Filters {
  pipeline: string;
  status: string;
  offset: number;
}

const readFilters = (): Filters => {
  const search = new URLSearchParams(location.search);
  const offset = Number(search.get('offset') ?? 0);
  return { pipeline: search.get('pipeline') ?? '', status: search.get('status') ?? '', offset: Number.isInteger(offset) && offset > 0 ? offset : 0 };
};

const queryOf = (filters: Filters): string => {
  const search = new URLSearchParams();
  if (filters.pipeline !== '') search.set('pipeline', filters.pipeline);
  if (filters.status !== '') search.set('status', filters.status);
  if (filters.offset > 0) search.set('offset', String(filters.offset));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};

const durationOf = (run: RunRow): number => (run.endedAt ?? Date.now()) - run.startedAt;

const rowOf = (run: RunRow): HTMLTableRowElement =>
  h(
    'tr',
    { 'data-run-id': run.runId, 'data-status': run.status },
    h('td', {}, h('a', { href: `runs/${segment(run.runId)}`, class: 'mono' }, run.runId)),
    h('td', {}, run.pipeline),
    h('td', { class: 'mono' }, run.version),
    h('td', {}, statusBadge(run.status)),
    h('td', {}, h('time', { datetime: new Date(run.startedAt).toISOString() }, formatTime(run.startedAt))),
    h('td', { class: 'num' }, formatDuration(durationOf(run))),
  );

/** The runs page: a filterable, paged table that refreshes itself. */
export const runsPage = (main: HTMLElement): void => {
  let filters = readFilters();
  const pipelineSelect = h('select', { id: 'filter-pipeline', name: 'pipeline' }, h('option', { value: '' }, 'All pipelines'));
  const statusSelect = h(
    'select',
    { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((status) => h('option', { value: status }, status)),
  );
  const body = h('tbody');
  const summary = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const newer = h('button', { type: 'button', class: 'btn' }, '← Newer');
  const older = h('button', { type: 'button', class: 'btn' }, 'Older →');
  const apply = (next: Filters, push: boolean): void => {
    filters = next;
    if (push) history.pushState(null, '', queryOf(filters) || location.pathname);
    void refresh();
  };
  pipelineSelect.addEventListener('change', () => apply({ ...filters, pipeline: pipelineSelect.value, offset: 0 }, true));
  statusSelect.addEventListener('change', () => apply({ ...filters, status: statusSelect.value, offset: 0 }, true));
  newer.addEventListener('click', () => apply({ ...filters, offset: Math.max(0, filters.offset - PAGE_SIZE) }, true));
  older.addEventListener('click', () => apply({ ...filters, offset: filters.offset + PAGE_SIZE }, true));
  window.addEventListener('popstate', () => apply(readFilters(), false));

  replaceChildren(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Runs'), summary),
    h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': 'Filter runs', onsubmit: (event) => event.preventDefault() },
      h('label', { for: 'filter-pipeline' }, 'Pipeline'),
      pipelineSelect,
      h('label', { for: 'filter-status' }, 'Status'),
      statusSelect,
    ),
    h(
      'table',
      { class: 'runs' },
      h('caption', { class: 'sr-only' }, 'Runs, newest first'),
      h('thead', {}, h('tr', {}, ['Run', 'Pipeline', 'Version', 'Status', 'Started', 'Duration'].map((title) => h('th', { scope: 'col' }, title)))),
      body,
    ),
    h('nav', { class: 'pager', 'aria-label': 'Pages of runs' }, newer, older),
  );

  let known = '';
  const refreshPipelines = async (): Promise<void> => {
    const { pipelines } = await getJson<{ pipelines: string[] }>('api/pipelines');
    const names = [...new Set([...pipelines, ...(filters.pipeline === '' ? [] : [filters.pipeline])])];
    if (names.join('\n') === known) return;
    known = names.join('\n');
    replaceChildren(pipelineSelect, h('option', { value: '' }, 'All pipelines'), names.map((name) => h('option', { value: name }, name)));
    pipelineSelect.value = filters.pipeline;
  };
  const refresh = async (): Promise<void> => {
    const search = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(filters.offset) });
    if (filters.pipeline !== '') search.set('pipeline', filters.pipeline);
    if (filters.status !== '') search.set('status', filters.status);
    const page = await getJson<RunPage>(`api/runs?${search.toString()}`);
    pipelineSelect.value = filters.pipeline;
    statusSelect.value = filters.status;
    replaceChildren(body, page.runs.length === 0 ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No runs match.')) : page.runs.map(rowOf));
    summary.textContent = page.runs.length === 0 ? 'No runs' : `Runs ${page.offset + 1}–${page.offset + page.runs.length}${page.more ? '' : ' (last page)'}`;
    newer.disabled = filters.offset === 0;
    older.disabled = !page.more;
    main.setAttribute('aria-busy', 'false');
  };
  const tick = (): void => {
    if (document.visibilityState === 'visible') void Promise.all([refresh(), refreshPipelines()]).catch(() => undefined);
  };
  void Promise.all([refreshPipelines(), refresh()]).catch((error: Error) => {
    summary.textContent = `Could not load runs: ${error.message}`;
  });
  setInterval(tick, REFRESH_MS);
};
