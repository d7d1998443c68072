import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWKWARD_STEPS } from './fixtures/awkward-pipeline';
import { outcomeOf, spawnFixture, waitForFile } from './support/child';
import { integrityOf } from './support/temp-dir';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const linesOf = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/**
 * Runs AwkwardPipeline in a child process, SIGKILLs it at `when` (a marker the pipeline writes,
 * or a delay after `start()` handed out the run id), resumes the run in a fresh process, and
 * reports which steps had been seen to succeed before the kill and how often each step ran.
 */
const killAndResume = async (when: { readonly at?: string; readonly afterMs?: number }) => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-awkward-'));
  try {
    const db = join(dir, 'runs.db');
    const runner = spawnFixture('awkward-child.ts', ['run', db], { CRASH_DIR: dir, CRASH_AT: when.at ?? '', STEP_MS: '3' });
    const ended = outcomeOf(runner);
    await waitForFile(join(dir, when.at !== undefined ? 'marker' : 'run-id'), runner);
    if (when.afterMs !== undefined) await delay(when.afterMs);
    runner.kill('SIGKILL');
    const killed = await ended;
    const before = linesOf(join(dir, 'effects'));
    const runId = readFileSync(join(dir, 'run-id'), 'utf8');
    // Seen to succeed: by a subscriber of events$, or by a step that started with it as a parent.
    const seen = new Set<string>();
    for (const line of before) {
      const [kind, step, ...parents] = line.split(' ').filter(Boolean);
      if (kind === 'seen') seen.add(step as string);
      else parents.forEach((parent) => seen.add(parent));
    }
    const resumed = await outcomeOf(spawnFixture('awkward-child.ts', ['resume', db, runId], { CRASH_DIR: dir, STEP_MS: '3' }));
    const ran: Record<string, number> = Object.fromEntries(AWKWARD_STEPS.map((step) => [step, 0]));
    for (const line of linesOf(join(dir, 'effects'))) {
      const [kind, step] = line.split(' ');
      if (kind === 'ran') ran[step as string] = (ran[step as string] ?? 0) + 1;
    }
    return { killed, finishedBeforeKill: existsSync(join(dir, 'finished')), seen, ran, resumed, integrity: integrityOf(db) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('commit, then act: a run SIGKILLed at an awkward instant', () => {
  jest.setTimeout(180_000);

  it('inside its first step, before the first await, is resumable by the id start() handed out', async () => {
    const outcome = await killAndResume({ at: 'sync:a' });
    expect(outcome.killed.signal).toBe('SIGKILL');
    expect(outcome.resumed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(outcome.resumed.stdout)).toMatchObject({ status: 'succeeded' });
    expect(outcome.ran).toEqual({ ...Object.fromEntries(AWKWARD_STEPS.map((step) => [step, 1])), a: 2 });
    expect(outcome.integrity).toBe('ok');
  });

  it('while a child computes synchronously, does not run again the parents that child saw succeed', async () => {
    const outcome = await killAndResume({ at: 'sync:c1' });
    expect(outcome.killed.signal).toBe('SIGKILL');
    expect([...outcome.seen].sort()).toEqual(expect.arrayContaining(['a', 'b1', 'b2']));
    expect(JSON.parse(outcome.resumed.stdout)).toMatchObject({ status: 'succeeded' });
    expect({ a: outcome.ran.a, b1: outcome.ran.b1, b2: outcome.ran.b2 }).toEqual({ a: 1, b1: 1, b2: 1 });
    expect(outcome.ran.c1).toBe(2);
  });

  // Instants spread over the run's whole life, from the handing out of its id to its end.
  it.concurrent.each([0, 6, 12, 20, 30, 45])('%i ms after start(), never runs again a step a dependent or a subscriber saw succeed', async (afterMs) => {
    const outcome = await killAndResume({ afterMs });
    expect(outcome.resumed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(outcome.resumed.stdout)).toMatchObject({ status: 'succeeded' });
    const seenTwice = [...outcome.seen].filter((step) => outcome.ran[step] !== 1);
    expect(seenTwice).toEqual([]);
    expect(Object.values(outcome.ran).every((count) => count === 1 || count === 2)).toBe(true);
    expect(outcome.integrity).toBe('ok');
  });
});
