import { createHash } from 'node:crypto';
import { EngineError } from '../../errors/errors';
import type { Params } from '../../model/options';
import type { PipelineDefinition } from '../../metadata/pipeline-definition';
import type { RunStore, ScheduleRecord, StoredSchedule } from '../../ports/run-store';
import type { RunHandle } from '../run-handle';
import { parseCron } from './cron';
import type { Cron } from './cron';

/** Options of `engine.schedule()`. */
export interface ScheduleOptions {
  /** Cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first. */
  readonly cron: string;
  /** Run parameters of every run it fires. */
  readonly params?: Params;
  /** IANA time zone the cron is read in (`'Europe/Paris'`); the process's own by default. */
  readonly timezone?: string;
  /**
   * The schedule's id in the store, shared by every controller that serves it (each tick fires
   * once among them). Default: the pipeline's name and a hash of cron, time zone and params.
   */
  readonly id?: string;
  /**
   * How late a tick may still fire: a controller that was down at a tick fires it on its return
   * within this window (unless another fired it). Default 60 000 ms.
   */
  readonly graceMs?: number;
  /** Told of every run this controller starts for the schedule, with its tick (epoch ms). */
  readonly onRun?: (run: RunHandle, tickAt: number) => void;
  /** Told when a tick could not be claimed or its run not started (the store failed, a bad pipeline). */
  readonly onError?: (error: unknown, tickAt: number) => void;
}

/** A schedule this engine serves. */
export interface ScheduleHandle {
  readonly id: string;
  /** Resolves once the schedule is registered in the store and its timer armed (or rejects). */
  readonly ready: Promise<void>;
  /** The next tick this engine will fire, or `undefined` once stopped. */
  next(): Date | undefined;
  /** Stops firing (in this engine; other controllers serving the schedule go on). */
  stop(): void;
}

/** A stored schedule with its next tick. */
export interface ScheduleInfo extends StoredSchedule {
  /** The next tick after now, epoch ms (`undefined` if the cron has none). */
  readonly nextAt: number | undefined;
}

/** What a schedule needs of its engine. */
export interface ScheduleContext {
  readonly store: RunStore;
  /** The engine's lease owner: recorded with each claimed tick. */
  readonly owner: string;
  /** Starts a run of the pipeline with these options under `runId`; resolves once it is durable. */
  launch(runId: string): Promise<RunHandle>;
  newRunId(): string;
}

const MAX_DELAY = 2_147_483_647; // setTimeout's limit; longer waits re-arm
const MAX_CATCH_UP = 100;

/** The default id: stable across controllers and restarts for the same pipeline, cron, zone and params. */
export const defaultScheduleId = (pipeline: string, options: Pick<ScheduleOptions, 'cron' | 'timezone' | 'params'>): string => {
  const hash = createHash('sha256').update(JSON.stringify([options.cron.trim(), options.timezone ?? null, options.params ?? {}])).digest('hex');
  return `${pipeline}:${hash.slice(0, 12)}`;
};

/**
 * One schedule served by one engine: a timer per tick. Every tick is claimed in the store before
 * its run starts, so among all the controllers that serve the schedule exactly one fires it. On
 * start, ticks missed within the grace window (a controller restarting) are fired too, if nobody has.
 * Timers are read at call time (fake timers govern them).
 */
export class ScheduleTimer implements ScheduleHandle {
  readonly id: string;
  readonly ready: Promise<void>;
  private readonly cron: Cron;
  private readonly graceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number | undefined;
  private lastTick = 0;
  private stopped = false;

  constructor(
    private readonly context: ScheduleContext,
    definition: PipelineDefinition,
    private readonly options: ScheduleOptions,
    private readonly onStop: (timer: ScheduleTimer) => void,
  ) {
    const { store } = context;
    if (store.claimTick === undefined || store.saveSchedule === undefined) {
      throw new EngineError('NOT_SUPPORTED', 'This store cannot claim schedule ticks, so it cannot keep schedules.');
    }
    this.cron = parseCron(options.cron, options.timezone);
    const graceMs = options.graceMs ?? 60_000;
    if (!(Number.isFinite(graceMs) && graceMs >= 0)) throw new EngineError('INVALID_OPTION', `A schedule's graceMs must be a number ≥ 0, got ${String(graceMs)}.`, { subject: 'graceMs' });
    this.graceMs = graceMs;
    const id = options.id ?? defaultScheduleId(definition.name, options);
    if (typeof id !== 'string' || id === '') throw new EngineError('INVALID_OPTION', `A schedule's id must be a non-empty string, got ${JSON.stringify(id)}.`, { subject: 'id' });
    this.id = id;
    const now = Date.now();
    const record: ScheduleRecord = {
      id,
      pipeline: definition.name,
      version: definition.version,
      cron: this.cron.expression,
      timezone: this.cron.timezone,
      params: options.params ?? {},
      createdAt: now,
      seenAt: now,
    };
    this.ready = Promise.resolve(store.saveSchedule(record)).then((saved) => {
      if (!this.stopped) this.catchUp(saved.createdAt);
    });
  }

  next(): Date | undefined {
    return this.nextAt === undefined || this.stopped ? undefined : new Date(this.nextAt);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.onStop(this);
  }

  /** Fires the ticks missed within the grace window since the schedule was first registered, then arms. */
  private catchUp(createdAt: number): void {
    const now = Date.now();
    // Ticks strictly after the first registration, and no older than the grace window.
    let after = Math.max(createdAt, now - this.graceMs - 1);
    for (let fired = 0; fired < MAX_CATCH_UP; fired++) {
      const tick = this.cron.nextAfter(after);
      if (tick === undefined || tick > now) break;
      void this.fire(tick);
      after = tick;
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const now = Date.now();
    const next = this.cron.nextAfter(Math.max(now, this.lastTick));
    this.nextAt = next;
    if (next === undefined) return;
    const delay = next - now;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (delay <= MAX_DELAY) void this.fire(next);
      this.arm();
    }, Math.min(Math.max(0, delay), MAX_DELAY));
  }

  /** Claims the tick; the one controller that gets it starts the run. */
  private async fire(tickAt: number): Promise<void> {
    this.lastTick = Math.max(this.lastTick, tickAt);
    if (this.stopped || Date.now() - tickAt > this.graceMs) return;
    const { store, owner } = this.context;
    try {
      const runId = this.context.newRunId();
      if (!(await store.claimTick?.(this.id, tickAt, owner, runId))) return;
      const run = await this.context.launch(runId);
      this.options.onRun?.(run, tickAt);
    } catch (error) {
      if (this.options.onError) this.options.onError(error, tickAt);
    }
  }
}

/** Every stored schedule with its next tick after `now` (`pipewright schedules`). */
export const listSchedules = async (store: RunStore, now = Date.now()): Promise<ScheduleInfo[]> => {
  if (store.listSchedules === undefined) throw new EngineError('NOT_SUPPORTED', 'This store keeps no schedules.');
  return (await store.listSchedules()).map((schedule) => {
    let nextAt: number | undefined;
    try {
      nextAt = parseCron(schedule.cron, schedule.timezone).nextAfter(now);
    } catch {
      nextAt = undefined; // written by another version with a cron this one cannot read
    }
    return { ...schedule, nextAt };
  });
};
