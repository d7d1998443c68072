import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectsIn } from '../fixtures/operate-pipeline';
import { outcomeOf, spawnFixture, waitForFile } from './child';
import { withConnection } from './temp-dir';

/** A folder for one operating spec: the database, the effects file, gates; every child it spawned is killed at the end. */
export class OperateBench {
  readonly dir = mkdtempSync(join(tmpdir(), 'pipewright-operate-'));
  readonly db = join(this.dir, 'runs.db');
  private readonly children: ChildProcess[] = [];

  constructor() {
    // Steps run in this process too (resumed, recovered, forked) count their effects in the same file.
    process.env.OPERATE_DIR = this.dir;
  }

  /** Starts a child driving OperatePipeline; resolves once the run's id is written (and, with `gate`, the gate reached). */
  async drive(env: Record<string, string> = {}): Promise<{ child: ChildProcess; runId: string; outcome: ReturnType<typeof outcomeOf> }> {
    rmSync(join(this.dir, 'run-id'), { force: true });
    const child = spawnFixture('operate-child.ts', [this.db], { OPERATE_DIR: this.dir, ...env });
    this.children.push(child);
    const outcome = outcomeOf(child);
    await waitForFile(join(this.dir, 'run-id'), child);
    const runId = readFileSync(join(this.dir, 'run-id'), 'utf8');
    if (env.GATE !== undefined) {
      await waitForFile(join(this.dir, `at-${env.GATE}`), child);
      // A step's progress commits with the next outcome or on the next event-loop turn: wait until
      // the gated step is in the store, so a kill from here on finds it there.
      await this.stepRecorded(runId, env.GATE);
    }
    return { child, runId, outcome };
  }

  /**
   * Starts a child that drives OperatePipeline and freezes at `at` (see fixtures/frozen-child.ts),
   * alive but never running again; resolves once it froze, with the run's status then.
   */
  async frozen(at: 'started' | 'ended', env: Record<string, string> = {}): Promise<{ child: ChildProcess; runId: string; status: string; outcome: ReturnType<typeof outcomeOf> }> {
    const child = spawnFixture('frozen-child.ts', [this.db, at], { OPERATE_DIR: this.dir, ...env });
    this.children.push(child);
    const outcome = outcomeOf(child);
    await waitForFile(join(this.dir, 'frozen'), child);
    return { child, runId: readFileSync(join(this.dir, 'run-id'), 'utf8'), status: readFileSync(join(this.dir, 'frozen'), 'utf8'), outcome };
  }

  private async stepRecorded(runId: string, step: string, timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    const recorded = (): boolean => withConnection(this.db, (db) => db.prepare('SELECT 1 FROM steps WHERE run_id = ? AND step = ?').get(runId, step) !== undefined);
    while (!recorded()) {
      if (Date.now() - started > timeoutMs) throw new Error(`step '${step}' of run ${runId} was never recorded`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Lets the gated step go on. */
  open(step: string): void {
    writeFileSync(join(this.dir, `open-${step}`), '');
  }

  effects(): Record<string, number> {
    const file = join(this.dir, 'effects');
    return effectsIn(() => (existsSync(file) ? readFileSync(file, 'utf8') : ''));
  }

  async close(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    delete process.env.OPERATE_DIR;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Kills a child with SIGKILL and waits until it is gone. */
export const killHard = async (child: ChildProcess, outcome: Promise<{ signal: NodeJS.Signals | null }>): Promise<void> => {
  child.kill('SIGKILL');
  const { signal } = await outcome;
  if (signal !== 'SIGKILL') throw new Error(`the child ended by itself (${String(signal)}) instead of being killed`);
};
