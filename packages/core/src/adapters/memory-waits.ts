import type { ScheduleRecord, SignalRecord, StepWait, StoredSchedule, WaitRecord } from '../ports/run-store';

interface Tick {
  readonly tickAt: number;
  readonly runId: string;
}

/**
 * The memory store's signals, step waits and schedules. Writes apply at once, like the rest of
 * the memory store; payloads are copied through JSON so a test sees what a durable store keeps.
 */
export class MemoryWaits {
  private nextSignal = 1;
  private readonly signals = new Map<string, SignalRecord[]>();
  private readonly waits = new Map<string, Map<number, WaitRecord>>();
  private readonly schedules = new Map<string, ScheduleRecord>();
  private readonly ticks = new Map<string, Tick[]>();

  sendSignal(runId: string, name: string, payload: unknown, sentAt: number): void {
    const list = this.signals.get(runId) ?? [];
    list.push({ id: this.nextSignal++, name, payload: copy(payload), sentAt });
    this.signals.set(runId, list);
  }

  readSignal(runId: string, name: string): SignalRecord | undefined {
    return this.signals.get(runId)?.find((signal) => signal.name === name);
  }

  saveWait(runId: string, step: string, seq: number, record: WaitRecord, consumes?: number): void {
    const key = `${runId}\0${step}`;
    const byStep = this.waits.get(key) ?? new Map<number, WaitRecord>();
    byStep.set(seq, record.kind === 'signal' ? { ...record, payload: copy(record.payload) } : record);
    this.waits.set(key, byStep);
    if (consumes === undefined) return;
    const list = this.signals.get(runId);
    const index = list?.findIndex((signal) => signal.id === consumes) ?? -1;
    if (index >= 0) list?.splice(index, 1);
  }

  readWaits(runId: string, step: string): StepWait[] {
    const byStep = this.waits.get(`${runId}\0${step}`);
    if (byStep === undefined) return [];
    return [...byStep.entries()].sort(([a], [b]) => a - b).map(([seq, record]) => ({ seq, record }));
  }

  /** Forgets what belongs to a run the store evicted. */
  forgetRun(runId: string): void {
    this.signals.delete(runId);
    for (const key of this.waits.keys()) if (key.startsWith(`${runId}\0`)) this.waits.delete(key);
  }

  saveSchedule(schedule: ScheduleRecord): ScheduleRecord {
    const previous = this.schedules.get(schedule.id);
    const saved = { ...schedule, createdAt: previous?.createdAt ?? schedule.createdAt };
    this.schedules.set(schedule.id, saved);
    return saved;
  }

  listSchedules(): StoredSchedule[] {
    return [...this.schedules.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((schedule) => {
        const last = this.ticks.get(schedule.id)?.reduce<Tick | undefined>((latest, tick) => (latest === undefined || tick.tickAt > latest.tickAt ? tick : latest), undefined);
        return { ...schedule, lastTickAt: last?.tickAt, lastRunId: last?.runId };
      });
  }

  claimTick(scheduleId: string, tickAt: number, _owner: string, runId: string): boolean {
    const list = this.ticks.get(scheduleId) ?? [];
    if (list.some((tick) => tick.tickAt === tickAt)) return false;
    list.push({ tickAt, runId });
    // Only recent ticks matter (a restarted controller looks back one grace window): keep a bounded list.
    if (list.length > 1000) list.splice(0, list.length - 1000);
    this.ticks.set(scheduleId, list);
    return true;
  }

  clear(): void {
    this.signals.clear();
    this.waits.clear();
    this.schedules.clear();
    this.ticks.clear();
  }
}

const copy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
