/**
 * The DAG shapes the benchmark runs: the three static shapes every engine runs at any size,
 * `spawn` (Pipewright only: one root that adds its children with `ctx.spawn`) and `small` (a
 * fixed {@link SMALL_STEPS}-step DAG, run in batches on a long-lived engine).
 */
export type Shape = 'chain' | 'fanout' | 'lattice' | 'spawn' | 'small';

/** The static shapes every engine runs, at every size. */
export const SHAPES: readonly Shape[] = ['chain', 'fanout', 'lattice'];

/** Every workload, in the order the table lists them. */
export const WORKLOADS: readonly Shape[] = ['small', 'chain', 'fanout', 'spawn', 'lattice'];

/** Steps of the `small` workload: 1 → 4 → 4 → 1. */
export const SMALL_STEPS = 10;

/** Width of a lattice layer: each step depends on every step of the layer before. */
export const LATTICE_WIDTH = 50;

/**
 * A DAG to run, engine-neutral: steps are numbered in a topological order, `parents[i]` lists
 * the indices step `i` depends on, and `depth[i]` is what its output must carry when every
 * parent's output reached it (1 for a root, else 1 + the deepest parent).
 */
export interface Workload {
  readonly shape: Shape;
  readonly steps: number;
  readonly edges: number;
  readonly names: readonly string[];
  readonly parents: readonly (readonly number[])[];
  readonly depth: Int32Array;
}

const NO_PARENTS: readonly number[] = Object.freeze([]);

/**
 * Builds a workload of `steps` steps. `fanout` is 1 → (steps − 2) → 1; `lattice` has layers of
 * {@link LATTICE_WIDTH} (the last one shorter when `steps` is not a multiple of it).
 *
 * `small` (exactly {@link SMALL_STEPS} steps) is a service's everyday pipeline: one source, four
 * parallel branches of two steps each (s1 → s5, …, s4 → s8), and one step joining them.
 *
 * `spawn` is, as the probe sees it, steps − 1 roots that all feed the last step: in Pipewright the
 * last step is the pipeline's only declared step, and it spawns the others (`ctx.spawn`) and
 * builds its output from the outputs its spawns resolve with.
 */
export const buildWorkload = (shape: Shape, steps: number): Workload => {
  if (!Number.isInteger(steps) || steps < 3) throw new RangeError(`A workload needs an integer number of steps ≥ 3, got ${steps}.`);
  if (shape === 'small' && steps !== SMALL_STEPS) throw new RangeError(`The small workload has ${SMALL_STEPS} steps, not ${steps}.`);
  const parents: (readonly number[])[] = new Array(steps);
  switch (shape) {
    case 'chain':
      parents[0] = NO_PARENTS;
      for (let i = 1; i < steps; i++) parents[i] = [i - 1];
      break;
    case 'fanout': {
      parents[0] = NO_PARENTS;
      const source = [0];
      for (let i = 1; i < steps - 1; i++) parents[i] = source;
      parents[steps - 1] = Array.from({ length: steps - 2 }, (_, k) => k + 1);
      break;
    }
    case 'lattice': {
      let previous: readonly number[] = NO_PARENTS;
      for (let start = 0; start < steps; start += LATTICE_WIDTH) {
        const layer: number[] = [];
        for (let i = start; i < Math.min(start + LATTICE_WIDTH, steps); i++) {
          parents[i] = previous; // one array shared by the whole layer: the edges are real, the copies would not be
          layer.push(i);
        }
        previous = layer;
      }
      break;
    }
    case 'spawn': {
      for (let i = 0; i < steps - 1; i++) parents[i] = NO_PARENTS;
      parents[steps - 1] = Array.from({ length: steps - 1 }, (_, k) => k);
      break;
    }
    case 'small':
      parents[0] = NO_PARENTS;
      for (let k = 1; k <= 4; k++) parents[k] = [0];
      for (let k = 5; k <= 8; k++) parents[k] = [k - 4];
      parents[9] = [5, 6, 7, 8];
      break;
    default:
      throw new RangeError(`Unknown shape '${String(shape)}'; expected one of ${WORKLOADS.join(', ')}.`);
  }
  const depth = new Int32Array(steps);
  let edges = 0;
  for (let i = 0; i < steps; i++) {
    const own = parents[i] as readonly number[];
    edges += own.length;
    let deepest = 0;
    for (const p of own) deepest = Math.max(deepest, depth[p] as number);
    depth[i] = deepest + 1;
  }
  const names = Array.from({ length: steps }, (_, i) => `s${i}`);
  return { shape, steps, edges, names, parents, depth };
};
