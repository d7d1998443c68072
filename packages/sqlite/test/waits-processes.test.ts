import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineEvent, RunResult, StepWaitingEvent } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { outcomeOf, spawnFixture, waitForFile } from './support/child';
import { killHard } from './support/operate';
import { withConnection } from './support/temp-dir';

interface Printed {
  readonly result: RunResult;
  readonly events: PipelineEvent[];
}

/** A folder with the database; every child spawned in it is killed at the end. */
class WaitsBench {
  readonly dir = mkdtempSync(join(tmpdir(), 'pipewright-waits-'));
  readonly db = join(this.dir, 'runs.db');
  private readonly children: ChildProcess[] = [];

  spawn(args: readonly string[], env: Record<string, string> = {}): { child: ChildProcess; outcome: ReturnType<typeof outcomeOf> } {
    const child = spawnFixture('waits-child.ts', [args[0] as string, this.db, ...args.slice(1)], { WAITS_DIR: this.dir, ...env });
    this.children.push(child);
    return { child, outcome: outcomeOf(child) };
  }

  /** Drives a run in a child until its step waits; resolves with the run id and the waiting event. */
  async driveUntilWaiting(pipeline: 'approval' | 'sleep', env: Record<string, string> = {}) {
    const driver = this.spawn(['drive', pipeline], env);
    await waitForFile(join(this.dir, 'waiting'), driver.child);
    const runId = readFileSync(join(this.dir, 'run-id'), 'utf8');
    const waiting = JSON.parse(readFileSync(join(this.dir, 'waiting'), 'utf8')) as StepWaitingEvent;
    rmSync(join(this.dir, 'waiting'));
    return { ...driver, runId, waiting };
  }

  async signal(runId: string, payload: unknown): Promise<void> {
    const { code, stderr } = await this.spawn(['signal', runId, 'approval', JSON.stringify(payload)]).outcome;
    if (code !== 0) throw new Error(`the signal process failed (${String(code)}): ${stderr}`);
  }

  async resume(runId: string): Promise<Printed> {
    const { code, stdout, stderr } = await this.spawn(['resume', runId]).outcome;
    if (code !== 0) throw new Error(`the resuming process failed (${String(code)}): ${stderr}`);
    return JSON.parse(stdout) as Printed;
  }

  async close(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const printed = async (outcome: ReturnType<typeof outcomeOf>): Promise<Printed> => {
  const { code, stdout, stderr } = await outcome;
  if (code !== 0) throw new Error(`the driving process failed (${String(code)}): ${stderr}`);
  return JSON.parse(stdout) as Printed;
};

describe('durable waits across real processes (SQLite)', () => {
  jest.setTimeout(120_000);
  let bench: WaitsBench;
  beforeEach(() => {
    bench = new WaitsBench();
  });
  afterEach(async () => {
    await bench.close();
  });

  it('a signal sent from a second process releases the step waiting in the first', async () => {
    const { runId, waiting, outcome } = await bench.driveUntilWaiting('approval');
    expect(waiting).toMatchObject({ runId, step: 'approve', signal: 'approval' });
    await bench.signal(runId, { ok: true, by: 'ana' });
    const { result, events } = await printed(outcome);
    expect(result.status).toBe('succeeded');
    expect(result.steps.approve?.output).toMatchObject({ decision: { ok: true, by: 'ana' } });
    expect(events.filter((event) => 'step' in event).map((event) => event.type)).toEqual([
      'step.created', 'step.queued', 'step.started', 'step.waiting', 'step.started', 'step.succeeded',
    ]);
  });

  it('a process killed while waiting: the signal sent meanwhile is kept, and the resumed step gets it at once', async () => {
    const { runId, child, outcome } = await bench.driveUntilWaiting('approval');
    await killHard(child, outcome);
    await bench.signal(runId, { ok: true, by: 'while down' });
    const { result, events } = await bench.resume(runId);
    expect(result.steps.approve?.output).toMatchObject({ decision: { ok: true, by: 'while down' } });
    expect(events.some((event) => event.type === 'step.waiting')).toBe(false);
  });

  it('a process killed after its step got the signal: the resumed step gets the same payload from the record', async () => {
    const { runId, child, outcome } = await bench.driveUntilWaiting('approval', { BLOCK_AFTER_WAIT: '1' });
    await bench.signal(runId, { ok: false, by: 'once' });
    await waitForFile(join(bench.dir, 'delivered'), child);
    await killHard(child, outcome);
    // Consumed and recorded in one commit: no signal is left, and the record holds the payload.
    const left = withConnection(bench.db, (db) => db.prepare('SELECT COUNT(*) FROM signals').pluck().get());
    expect(left).toBe(0);
    const { result, events } = await bench.resume(runId);
    expect(result.status).toBe('succeeded');
    expect(result.steps.approve?.output).toMatchObject({ decision: { ok: false, by: 'once' } });
    expect(events.some((event) => event.type === 'step.waiting')).toBe(false);
  });

  it('a sleep resumed after a crash waits only what is left of its recorded deadline', async () => {
    const { runId, child, outcome, waiting } = await bench.driveUntilWaiting('sleep', { SLEEP_MS: '1500' });
    expect(waiting.until).toEqual(expect.any(Number));
    await killHard(child, outcome);
    const { result, events } = await bench.resume(runId);
    const resumedWait = events.find((event): event is StepWaitingEvent => event.type === 'step.waiting');
    // The same deadline as before the crash (not a fresh 1.5 s from the resume), and it was honoured.
    if (resumedWait !== undefined) expect(resumedWait.until).toBe(waiting.until);
    expect(result.status).toBe('succeeded');
    expect((result.steps.nap?.output as { wokeAt: number }).wokeAt).toBeGreaterThanOrEqual(waiting.until as number);
    const store = new SqliteStore({ path: bench.db });
    expect(store.readWaits(runId, 'nap')).toEqual([{ seq: 0, record: { kind: 'sleep', until: waiting.until } }]);
    await store.close();
  });

  it('two engines on one SQLite file with the same every-second schedule fire exactly one run per tick', async () => {
    const controllers = [bench.spawn(['schedule', '* * * * * *']), bench.spawn(['schedule', '* * * * * *'])];
    for (const { child } of controllers) await waitForFile(join(bench.dir, `ready-${String(child.pid)}`), child);
    const ticks = (): Array<{ tick_at: number; run_id: string; owner: string }> =>
      withConnection(bench.db, (db) => db.prepare("SELECT tick_at, run_id, owner FROM schedule_ticks WHERE schedule_id = 'every-second' ORDER BY tick_at").all() as Array<{ tick_at: number; run_id: string; owner: string }>);
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (ticks().length >= 5) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > 60_000) {
          clearInterval(timer);
          reject(new Error(`only ${ticks().length} ticks after 60 s`));
        }
      }, 100);
    });
    for (const { child } of controllers) child.kill('SIGTERM');
    for (const { outcome } of controllers) expect((await outcome).code).toBe(0);
    const claimed = ticks();
    const runs = withConnection(bench.db, (db) => db.prepare("SELECT run_id FROM runs WHERE pipeline = 'waits-scheduled'").pluck().all() as string[]);
    // One run per claimed tick, no run without a tick, and no second run for any tick.
    expect(new Set(runs)).toEqual(new Set(claimed.map((tick) => tick.run_id)));
    expect(runs).toHaveLength(claimed.length);
    // Consecutive seconds: none lost between the first tick and the last.
    const seconds = claimed.map((tick) => tick.tick_at / 1000);
    expect(seconds).toEqual(seconds.map((_, index) => (seconds[0] as number) + index));
    expect(existsSync(bench.db)).toBe(true);
  });
});
