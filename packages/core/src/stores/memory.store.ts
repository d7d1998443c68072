import type { ErrorInfo, RunStatus, StepResult } from '../engine/results';
import type { ArtifactStore } from './artifact-store';
import { MemoryArtifactStore } from './memory-artifact.store';
import type { HistoryQuery, RunRecord, RunStore, RunSummary, StoredRun } from './store';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Finished runs kept for `history()`; older ones are forgotten. Default 100. */
  readonly maxRuns?: number;
  /** Where artifact bytes go; memory by default. */
  readonly artifacts?: ArtifactStore;
}

interface Entry {
  run: RunRecord;
  readonly steps: Map<string, StepResult>;
}

/**
 * The default store: runs in memory, bounded so a long-lived engine keeps steady memory.
 * Step results are kept by reference, so saving a step costs one map write.
 */
export class MemoryStore implements RunStore {
  readonly artifacts: ArtifactStore;
  private readonly maxRuns: number;
  private readonly runs = new Map<string, Entry>();

  constructor(options: MemoryStoreOptions = {}) {
    this.maxRuns = options.maxRuns ?? 100;
    this.artifacts = options.artifacts ?? new MemoryArtifactStore();
  }

  beginRun(run: RunRecord): void {
    this.runs.set(run.runId, { run, steps: new Map() });
  }

  saveStep(runId: string, step: string, result: StepResult): void {
    this.runs.get(runId)?.steps.set(step, result);
  }

  endRun(runId: string, status: RunStatus, endedAt: number, error: ErrorInfo | undefined): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    entry.run = { ...entry.run, status, endedAt, error };
    this.evict();
  }

  getRun(runId: string): StoredRun | undefined {
    const entry = this.runs.get(runId);
    return entry && { run: entry.run, steps: Object.fromEntries(entry.steps) };
  }

  listRuns(query: HistoryQuery = {}): RunSummary[] {
    const matching: RunSummary[] = [];
    for (const { run } of this.runs.values()) {
      if (query.pipeline !== undefined && run.pipeline !== query.pipeline) continue;
      if (query.status !== undefined && run.status !== query.status) continue;
      const { runId, pipeline, version, status, startedAt, endedAt } = run;
      matching.push({ runId, pipeline, version, status, startedAt, endedAt });
    }
    matching.reverse(); // insertion order is start order
    return matching.slice(0, query.limit ?? matching.length);
  }

  async close(): Promise<void> {
    this.runs.clear();
  }

  private evict(): void {
    let finished = 0;
    for (const entry of this.runs.values()) if (entry.run.status !== 'running') finished++;
    for (const [runId, entry] of this.runs) {
      if (finished <= this.maxRuns) break;
      if (entry.run.status !== 'running') {
        this.runs.delete(runId);
        finished--;
      }
    }
  }
}
