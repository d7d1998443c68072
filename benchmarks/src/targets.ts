import type { DistributedReport } from './distributed';
import type { BenchRow } from './harness';
import { SMALL_STEPS } from './workload';
import type { Shape } from './workload';

/** One target of issue 16, judged from the rows of one run. */
export interface TargetVerdict {
  /** Stable id, e.g. `100k-chain-vs-floor`. */
  readonly id: string;
  readonly target: string;
  /** What `wall` (and `cpu`) are: a ratio, ms per run, µs per step, or a share of raw BullMQ throughput. */
  readonly unit: 'ratio' | 'ms/run' | 'µs/step' | 'share';
  /** The bound `wall` must meet (`≤` it, or `<` it for "faster than", or `≥` it for a share). */
  readonly threshold: number;
  readonly comparison: '<' | '≤' | '≥';
  /** The figure from wall time; `null` when the run did not measure it. */
  readonly wall: number | null;
  /** The same figure from CPU time (user + system), for comparing runs on a shared machine. */
  readonly cpu: number | null;
  /** Judged on `wall`, as the issue measures; `null` when not measured. */
  readonly met: boolean | null;
  /** The figures the ratio comes from. */
  readonly detail: string;
}

/** The size the 100k targets and the spawn target are read at. */
export const LARGE = 100_000;
export const SPAWN_SIZE = 10_000;

type Pick = (workload: Shape, steps: number, engine: string, store?: string) => BenchRow | undefined;

const judge = (wall: number, comparison: TargetVerdict['comparison'], threshold: number): boolean =>
  comparison === '<' ? wall < threshold : comparison === '≤' ? wall <= threshold : wall >= threshold;

const fig = (value: number): string => value.toLocaleString('en-US', { maximumSignificantDigits: 3 });

type Spec = Omit<TargetVerdict, 'wall' | 'cpu' | 'met' | 'detail'>;

const ratioOf = (spec: Spec, mine: BenchRow | undefined, theirs: BenchRow | undefined, per: 'run' | 'step'): TargetVerdict => {
  if (!mine || !theirs) return { ...spec, wall: null, cpu: null, met: null, detail: 'not measured in this run' };
  const wall = per === 'run' ? mine.medianMs / theirs.medianMs : mine.usPerStep / theirs.usPerStep;
  const cpu = per === 'run' ? mine.cpuMs / theirs.cpuMs : mine.cpuUsPerStep / theirs.cpuUsPerStep;
  const detail =
    per === 'run'
      ? `${fig(mine.medianMs)} vs ${fig(theirs.medianMs)} ms/run (CPU ${fig(mine.cpuMs)} vs ${fig(theirs.cpuMs)})`
      : `${fig(mine.usPerStep)} vs ${fig(theirs.usPerStep)} µs/step (CPU ${fig(mine.cpuUsPerStep)} vs ${fig(theirs.cpuUsPerStep)})`;
  return { ...spec, wall, cpu, met: judge(wall, spec.comparison, spec.threshold), detail };
};

const absolute = (spec: Spec, row: BenchRow | undefined): TargetVerdict => {
  if (!row) return { ...spec, wall: null, cpu: null, met: null, detail: 'not measured in this run' };
  const [wall, cpu] = spec.unit === 'ms/run' ? [row.medianMs, row.cpuMs] : [row.usPerStep, row.cpuUsPerStep];
  return { ...spec, wall, cpu, met: judge(wall, spec.comparison, spec.threshold), detail: `${row.runs} × ${row.batch === 1 ? 'run' : `batch of ${row.batch} runs`}, median` };
};

/**
 * The targets of issue 16, each computed from rows of the same run (and the BullMQ report when
 * the run measured it): a target whose rows are missing is `met: null`, never guessed.
 */
export const judgeTargets = (rows: readonly BenchRow[], distributed?: DistributedReport): TargetVerdict[] => {
  const pick: Pick = (workload, steps, engine, store = 'memory') =>
    rows.find((row) => row.workload === workload && row.steps === steps && row.engine === engine && row.store === store);
  const small = (engine: string, store?: string): BenchRow | undefined => pick('small', SMALL_STEPS, engine, store);
  const verdicts: TargetVerdict[] = [
    ratioOf(
      { id: 'small-vs-p-graph', target: `${SMALL_STEPS}-step run on a long-lived engine: Pipewright memory faster than p-graph`, unit: 'ratio', comparison: '<', threshold: 1 },
      small('pipewright'),
      small('p-graph'),
      'run',
    ),
    absolute({ id: 'small-sqlite', target: `${SMALL_STEPS}-step durable run on a long-lived engine: SQLite ≤ 0.5 ms`, unit: 'ms/run', comparison: '≤', threshold: 0.5 }, small('pipewright', 'sqlite')),
  ];
  for (const shape of ['chain', 'fanout', 'lattice'] as const) {
    const mine = pick(shape, LARGE, 'pipewright');
    verdicts.push(
      ratioOf({ id: `100k-${shape}-vs-floor`, target: `100k ${shape}: Pipewright memory ≤ 10× the floor`, unit: 'ratio', comparison: '≤', threshold: 10 }, mine, pick(shape, LARGE, 'promise-floor'), 'step'),
      ratioOf({ id: `100k-${shape}-vs-p-graph`, target: `100k ${shape}: Pipewright memory faster than p-graph`, unit: 'ratio', comparison: '<', threshold: 1 }, mine, pick(shape, LARGE, 'p-graph'), 'step'),
    );
  }
  verdicts.push(
    absolute({ id: '100k-chain-sqlite', target: '100k chain: SQLite ≤ 25 µs/step', unit: 'µs/step', comparison: '≤', threshold: 25 }, pick('chain', LARGE, 'pipewright', 'sqlite')),
    ratioOf(
      { id: '10k-spawn-vs-static', target: '10k spawned steps (ctx.spawn) ≤ 2× the static fan-out of 10k, per step (memory)', unit: 'ratio', comparison: '≤', threshold: 2 },
      pick('spawn', SPAWN_SIZE, 'pipewright'),
      pick('fanout', SPAWN_SIZE, 'pipewright'),
      'step',
    ),
    distributedVerdict(distributed),
  );
  return verdicts;
};

const distributedVerdict = (report: DistributedReport | undefined): TargetVerdict => {
  const spec: Spec = { id: 'bullmq-2-agents', target: '2 BullMQ agents ≥ 80% of raw BullMQ jobs/s', unit: 'share', comparison: '≥', threshold: 0.8 };
  const two = report?.agents.find((row) => row.agents === 2);
  if (!report || !two) return { ...spec, wall: null, cpu: null, met: null, detail: 'not measured in this run (it runs by default when redis-server is on $PATH, or with --only distributed)' };
  const wall = two.stepsPerSecond / report.rawJobsPerSecond;
  return { ...spec, wall, cpu: null, met: judge(wall, spec.comparison, spec.threshold), detail: `${fig(two.stepsPerSecond)} steps/s vs ${fig(report.rawJobsPerSecond)} raw jobs/s` };
};
