import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRASH_OUTPUTS, CRASH_STEPS } from './fixtures/crash-pipeline';
import { outcomeOf, spawnFixture, waitForFile } from './support/child';
import { integrityOf, journalTypes, withConnection } from './support/temp-dir';

const countEffects = (dir: string): Record<string, number> => {
  const counts: Record<string, number> = Object.fromEntries(CRASH_STEPS.map((step) => [step, 0]));
  const file = join(dir, 'effects');
  if (!existsSync(file)) return counts;
  for (const step of readFileSync(file, 'utf8').split('\n').filter(Boolean)) counts[step] = (counts[step] ?? 0) + 1;
  return counts;
};

/** What the database says about each step, read with a connection of its own. */
const statusesIn = (db: string, runId: string): Record<string, string> =>
  Object.fromEntries(
    withConnection(db, (connection) => connection.prepare('SELECT step, status FROM steps WHERE run_id = ?').raw().all(runId) as Array<[string, string]>),
  );

/**
 * A child process runs CrashPipeline and is killed with SIGKILL at `crashAt`; a new process
 * resumes the run. Synchronised through files: the step writes a marker, the test waits for it.
 */
const crashAndResume = async (crashAt: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-crash-'));
  try {
    const db = join(dir, 'runs.db');
    const env = { CRASH_DIR: dir, CRASH_AT: crashAt };
    const runner = spawnFixture('crash-child.ts', ['run', db], env);
    const ended = outcomeOf(runner);
    await waitForFile(join(dir, 'marker'), runner);
    runner.kill('SIGKILL');
    const killed = await ended;
    const runId = readFileSync(join(dir, 'run-id'), 'utf8');

    const atCrash = { statuses: statusesIn(db, runId), effects: countEffects(dir), integrity: integrityOf(db) };
    const resumer = spawnFixture('crash-child.ts', ['resume', db, runId], { CRASH_DIR: dir });
    const resumed = await outcomeOf(resumer);
    return {
      killed,
      runId,
      atCrash,
      resumed: { ...resumed, result: resumed.code === 0 ? (JSON.parse(resumed.stdout) as { status: string; runId: string; outputs: Record<string, unknown> }) : undefined },
      effects: countEffects(dir),
      integrity: integrityOf(db),
      journal: journalTypes(db, runId),
      finalStatus: withConnection(db, (connection) => connection.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(runId)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('a run killed with SIGKILL and resumed by another process', () => {
  jest.setTimeout(180_000);

  it.concurrent.each([
    ['before the first step', 'before:a', undefined, []],
    ['mid-chain', 'c', 'c', ['a', 'b']],
    ['during a fan-out', 'd3', 'd3', ['a', 'b', 'c']],
    ['during the last step', 'e', 'e', ['a', 'b', 'c', 'd1', 'd2', 'd3', 'd4']],
  ] as const)('completes when killed %s: finished steps ran once, the interrupted one at most twice', async (_when, crashAt, interrupted, finishedForSure) => {
    const outcome = await crashAndResume(crashAt);
    expect(outcome.killed.signal).toBe('SIGKILL');
    expect(outcome.atCrash.integrity).toBe('ok');
    expect(outcome.resumed).toMatchObject({ code: 0, stderr: '' });

    // What had finished when the process died: what the database said right after the kill.
    const finished = CRASH_STEPS.filter((step) => outcome.atCrash.statuses[step] === 'succeeded');
    expect(finished).toEqual(expect.arrayContaining([...finishedForSure]));
    if (interrupted !== undefined) {
      expect(finished).not.toContain(interrupted);
      expect(outcome.atCrash.effects[interrupted]).toBe(1);
    }

    expect(outcome.resumed.result).toMatchObject({ status: 'succeeded', runId: outcome.runId, outputs: CRASH_OUTPUTS });
    // Finished steps exactly once; every other step once or twice (once more for each one the kill interrupted).
    const runs = (steps: readonly string[]) => Object.fromEntries(steps.map((step) => [step, outcome.effects[step]]));
    expect(runs(finished)).toEqual(Object.fromEntries(finished.map((step) => [step, 1])));
    for (const [step, count] of Object.entries(runs(CRASH_STEPS.filter((step) => !finished.includes(step))))) {
      expect({ step, onceOrTwice: count === 1 || count === 2 }).toEqual({ step, onceOrTwice: true });
    }
    if (interrupted !== undefined) expect(outcome.effects[interrupted]).toBe(2);

    expect(outcome.integrity).toBe('ok');
    expect(outcome.finalStatus).toBe('succeeded');
    expect(outcome.journal.filter((type) => type === 'run.started')).toHaveLength(2);
    expect(outcome.journal.at(-1)).toBe('run.succeeded');
  });
});
