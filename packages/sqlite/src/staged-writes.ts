/** A staged write: a prepared statement, or a function that writes and checks. */
export interface Write {
  run(params: unknown[]): unknown;
}

/** Journals a run's events `first` .. `last` (their JSON array); throws when it cannot. */
export type AppendJournal = (runId: string, first: number, last: number, events: string) => void;

/** A write with its parameters and the run it belongs to (`undefined`: a cache entry, no run's). */
type Entry = [write: Write, params: unknown[], owner: string | undefined];

/** A run's events staged for the next commit: they become one journal row. */
interface StagedEvents {
  readonly first: number;
  last: number;
  /** The events' JSON, joined into one array when committed. */
  readonly bodies: string[];
}

/**
 * The writes staged since the last commit, store-wide, each with the run it belongs to. Repeated
 * saves of one step replace each other (one row write per step per commit), and a run's events
 * are journaled as one row.
 */
export class StagedWrites {
  private readonly entries: Entry[] = [];
  /** Index in `entries` of each step's upsert (`runId\0step`). */
  private readonly steps = new Map<string, number>();
  private readonly events = new Map<string, StagedEvents>();

  get empty(): boolean {
    return this.entries.length === 0 && this.events.size === 0;
  }

  /** `true` when the run has writes staged. A scan: only for what happens once per run, or on failure. */
  carries(runId: string): boolean {
    return this.events.has(runId) || this.entries.some(([, , owner]) => owner === runId);
  }

  /** Whose writes are staged: run ids, and `undefined` for writes of no run. A scan, for failures. */
  owners(): Set<string | undefined> {
    const owners = new Set<string | undefined>(this.events.keys());
    for (const [, , owner] of this.entries) owners.add(owner);
    return owners;
  }

  add(write: Write, params: unknown[], owner: string | undefined): void {
    this.entries.push([write, params, owner]);
  }

  /** Stages a step's upsert, replacing one staged earlier. */
  addStep(write: Write, runId: string, step: string, params: unknown[]): void {
    const key = `${runId}\0${step}`;
    const earlier = this.steps.get(key);
    if (earlier !== undefined) {
      (this.entries[earlier] as Entry)[1] = params;
      return;
    }
    this.steps.set(key, this.entries.length);
    this.add(write, params, runId);
  }

  /** Stages the run's event number `seq` (its JSON `body`); a run's seqs are staged in order, without gaps. */
  addEvent(runId: string, seq: number, body: string): void {
    const staged = this.events.get(runId);
    if (staged === undefined) {
      this.events.set(runId, { first: seq, last: seq, bodies: [body] });
      return;
    }
    staged.last = seq;
    staged.bodies.push(body);
  }

  /** Applies everything staged, in order: the writes, then each run's events as one journal row. */
  apply(append: AppendJournal): void {
    const { entries } = this;
    for (let index = 0; index < entries.length; index++) {
      const [write, params] = entries[index] as Entry;
      write.run(params);
    }
    // After the writes: a run's row (beginRun) is in before the events that reference it.
    for (const [runId, staged] of this.events) journal(append, runId, staged);
  }

  /** Applies what one owner staged, in the same order as {@link StagedWrites.apply}. */
  applyPart(append: AppendJournal, owner: string | undefined): void {
    for (const [write, params, of] of this.entries) if (of === owner) write.run(params);
    const staged = owner === undefined ? undefined : this.events.get(owner);
    if (staged !== undefined) journal(append, owner as string, staged);
  }

  clear(): void {
    if (this.entries.length > 0) this.entries.length = 0;
    if (this.steps.size > 0) this.steps.clear();
    if (this.events.size > 0) this.events.clear();
  }
}

const journal = (append: AppendJournal, runId: string, staged: StagedEvents): void => {
  const { bodies } = staged;
  append(runId, staged.first, staged.last, bodies.length === 1 ? `[${bodies[0] as string}]` : `[${bodies.join(',')}]`);
};
