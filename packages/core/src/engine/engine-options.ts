import type { DependencyContainer } from 'tsyringe';
import type { Executor } from '../ports/executor';
import type { RunStore } from '../ports/run-store';

/** Options of `new Engine(...)`. */
export interface EngineOptions {
  /** Where runs are kept; an in-memory store by default. */
  readonly store?: RunStore;
  /** Where steps run; in this process by default. */
  readonly executor?: Executor;
  /** Each run resolves its pipeline and templates from a child of this container (tsyringe's root by default). */
  readonly container?: DependencyContainer;
  /**
   * With a durable store, how long this engine's claim on a run lasts without renewal
   * (renewed every third of it while the run is alive). A run whose process died can be
   * resumed elsewhere once its lease has expired; on the same host, at once once its process is
   * gone. Default 30 000 ms.
   */
  readonly leaseTtlMs?: number;
  /**
   * With a durable store, how often this engine looks for stop requests that other processes
   * recorded for its runs (`stopRun`), and how often `watch()` reads the journal of a run
   * driven elsewhere. Default 500 ms.
   */
  readonly pollMs?: number;
}
