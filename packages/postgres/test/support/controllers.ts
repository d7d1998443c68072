import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectsIn } from '../fixtures/shared-pipeline';
import { outcomeOf, spawnFixture, waitForFile } from './child';

type Outcome = ReturnType<typeof outcomeOf>;

/**
 * Controller processes on one database for one spec, with a folder for the effects file and the
 * gates; every child it spawned is killed (and the folder removed) by `close()`.
 */
export class Controllers {
  readonly dir = mkdtempSync(join(tmpdir(), 'pipewright-postgres-'));
  private readonly children: ChildProcess[] = [];

  /**
   * @param url the database
   * @param schema the store's schema: one per spec, so each starts from an empty store (and cache)
   */
  constructor(
    private readonly url: string,
    readonly schema: string,
  ) {
    // Steps run in the test process too (resumed, watched) count their effects in the same file.
    process.env.SHARED_DIR = this.dir;
  }

  /** A controller driving SharedPipeline; resolves once the run's id is written (and, with GATE, the gate reached). */
  async drive(env: Record<string, string> = {}): Promise<{ child: ChildProcess; runId: string; outcome: Outcome }> {
    rmSync(join(this.dir, 'run-id'), { force: true });
    const { child, outcome } = this.start('drive', env);
    await waitForFile(join(this.dir, 'run-id'), child);
    if (env.GATE !== undefined) await waitForFile(join(this.dir, `at-${env.GATE}`), child);
    return { child, runId: readFileSync(join(this.dir, 'run-id'), 'utf8'), outcome };
  }

  /** A controller in `mode` (see fixtures/controller.ts), not waited for. */
  start(mode: 'drive' | 'recover', env: Record<string, string> = {}): { child: ChildProcess; outcome: Outcome } {
    const child = spawnFixture('controller.ts', [this.url, mode], { SHARED_DIR: this.dir, SCHEMA: this.schema, ...env });
    this.children.push(child);
    return { child, outcome: outcomeOf(child) };
  }

  /** Lets the gated step go on. */
  open(step: string): void {
    writeFileSync(join(this.dir, `open-${step}`), '');
  }

  effects(): Record<string, number> {
    const file = join(this.dir, 'effects');
    return effectsIn(existsSync(file) ? readFileSync(file, 'utf8') : '');
  }

  async close(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    delete process.env.SHARED_DIR;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The JSON a controller printed; fails with what it wrote on stderr when it did not succeed. */
export const printed = async <T>(outcome: Outcome): Promise<T> => {
  const { code, stdout, stderr } = await outcome;
  if (code !== 0) throw new Error(`the controller exited with ${String(code)}:\n${stderr}`);
  return JSON.parse(stdout) as T;
};

/** Kills a child with SIGKILL and waits until it is gone. */
export const killHard = async (child: ChildProcess, outcome: Outcome): Promise<void> => {
  child.kill('SIGKILL');
  const { signal } = await outcome;
  if (signal !== 'SIGKILL') throw new Error(`the child ended by itself (${String(signal)}) instead of being killed`);
};
