import type { RunView } from '../src/view-model';
import { getJson, postJson, segment } from './api';
import { DagView } from './dag-view';
import { formatDuration, formatTime, h, replaceChildren, statusBadge } from './dom';
import { RunState } from './run-state';
import type { EventLike } from './run-state';
import { renderStepPanel } from './step-panel';

const FINAL = new Set(['succeeded', 'failed', 'aborted']);

/** The run page: header with the run's buttons, the live DAG, and the selected step's details. */
export const runPage = async (main: HTMLElement, runId: string): Promise<void> => {
  const base = `api/runs/${segment(runId)}`;
  let view: RunView;
  try {
    view = await getJson<RunView>(base);
  } catch (error) {
    replaceChildren(main, h('h1', {}, 'Run not found'), h('p', { role: 'alert' }, (error as Error).message), h('p', {}, h('a', { href: './' }, 'Back to the runs')));
    return;
  }
  const state = new RunState(view);
  let selected: string | undefined;
  const notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  const say = (text: string): void => {
    notice.textContent = text;
  };
  const act = async (action: string, body: unknown = {}): Promise<{ runId: string } | undefined> => {
    try {
      return await postJson<{ runId: string }>(`${base}/${action}`, body);
    } catch (error) {
      say(`${action} failed: ${(error as Error).message}`);
      return undefined;
    }
  };
  const stop = h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'stop' }, 'Stop');
  const resume = h('button', { type: 'button', class: 'btn', 'data-action': 'resume' }, 'Resume');
  stop.addEventListener('click', () => {
    stop.disabled = true;
    say('Stopping…');
    void act('stop').then((done) => done && say('Stop requested.'));
  });
  resume.addEventListener('click', () => {
    resume.disabled = true;
    void act('resume').then((done) => (done ? location.reload() : (resume.disabled = false)));
  });
  const rerun = (step: string): void => {
    say(`Starting a new run from ${step}…`);
    void act('rerun', { from: step }).then((done) => done && location.assign(`runs/${segment(done.runId)}`));
  };

  const title = h('h1', {}, view.run.pipeline, h('span', { class: 'version' }, ` v${view.run.version}`));
  const headStatus = h('span', { id: 'run-status' });
  const facts = h('p', { class: 'muted run-facts' });
  const counts = h('ul', { class: 'counts', 'aria-label': 'Steps by status' });
  const dag = new DagView((key) => select(key, false));
  const panel = h('aside', { class: 'panel', 'aria-labelledby': 'step-title', tabindex: -1 }, h('p', { class: 'muted' }, 'Select a step to see its parameters, output, logs, metrics and artifacts.'));
  const find = h('input', { id: 'find-step', type: 'search', placeholder: 'step name', list: 'step-names', autocomplete: 'off' });
  const names = h('datalist', { id: 'step-names' });
  find.addEventListener('change', () => state.nodes.has(find.value) && select(find.value, true));
  const graphNote = view.graph.known ? null : h('p', { class: 'muted' }, "This pipeline's class is not loaded here, so declared edges are not drawn; statuses still are.");

  replaceChildren(
    main,
    h('div', { class: 'run-head' }, h('div', {}, h('p', { class: 'crumbs' }, h('a', { href: './' }, 'Runs'), ' / ', h('span', { class: 'mono' }, runId)), title, facts), h('div', { class: 'run-actions' }, headStatus, stop, resume)),
    notice,
    h('div', { class: 'toolbar' }, counts, h('div', { class: 'find' }, h('label', { for: 'find-step' }, 'Find step'), find, names)),
    graphNote,
    h('div', { class: 'run-body' }, dag.element, panel),
  );

  const select = (key: string, focus: boolean): void => {
    selected = key;
    dag.select(key, focus);
    drawPanel();
  };
  const drawPanel = (): void => {
    const node = selected === undefined ? undefined : state.nodes.get(selected);
    if (node === undefined) return;
    renderStepPanel(panel, node, state.steps.get(node.key), { runId, canDownload: view.actions.artifacts, canRerun: view.actions.rerun && FINAL.has(state.run.status), rerun });
  };
  const drawHead = (): void => {
    const { run } = state;
    replaceChildren(headStatus, statusBadge(run.status));
    headStatus.setAttribute('data-status', run.status);
    facts.textContent = `Started ${formatTime(run.startedAt)} · ${formatDuration((run.endedAt ?? Date.now()) - run.startedAt)} · ${state.nodes.size} steps`;
    stop.hidden = !(view.actions.stop && run.status === 'running');
    resume.hidden = !(run.status === 'failed' || run.status === 'aborted');
    const tally = new Map<string, number>();
    for (const node of state.nodes.values()) {
      const status = state.steps.get(node.key)?.status ?? 'pending';
      tally.set(status, (tally.get(status) ?? 0) + 1);
    }
    replaceChildren(counts, [...tally].map(([status, count]) => h('li', {}, statusBadge(status), ` ${count}`)));
  };
  const redraw = (): void => {
    if (state.graphChanged) {
      state.graphChanged = false;
      state.changed.clear();
      dag.draw([...state.nodes.values()], (key) => state.steps.get(key)?.status ?? 'pending');
      replaceChildren(names, [...state.nodes.keys()].map((key) => h('option', { value: key })));
      if (selected !== undefined) dag.select(selected, false);
    }
    for (const key of state.changed) dag.setStatus(key, state.steps.get(key)?.status ?? 'pending', state.nodes.get(key)?.kind ?? 'step');
    if (selected !== undefined && (state.changed.has(selected) || state.runChanged)) drawPanel();
    state.changed.clear();
    state.runChanged = false;
    drawHead();
  };
  // Events arrive in bursts (a replayed journal, a wide fan-out): one redraw per frame at most.
  let frame = 0;
  const schedule = (): void => {
    if (frame === 0) frame = requestAnimationFrame(() => ((frame = 0), redraw()));
  };
  redraw();
  setInterval(() => FINAL.has(state.run.status) || drawHead(), 1000);
  if (!view.actions.live) return say('Live updates are not available from this engine.');
  const source = new EventSource(`${base}/events`);
  source.onmessage = (message: MessageEvent<string>) => {
    if (message.lastEventId === '0') state.restartHistory();
    state.apply(JSON.parse(message.data) as EventLike);
    schedule();
  };
  source.addEventListener('end', () => {
    source.close();
    // The store has the last word: a run ended by another process may have saved final step
    // statuses without journalling an event for each.
    void getJson<RunView>(base).then((final) => {
      state.settle(final);
      schedule();
      document.body.dataset.live = 'ended';
    });
  });
  source.addEventListener('failure', (message) => {
    source.close();
    say(`Live updates stopped: ${(JSON.parse((message as MessageEvent<string>).data) as { message: string }).message}`);
  });
  source.onopen = () => {
    document.body.dataset.live = 'open';
  };
};
