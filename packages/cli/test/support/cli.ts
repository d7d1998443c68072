import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The real binary, as `npm` would link it. */
export const BIN = resolve(__dirname, '..', '..', 'bin', 'pipewright.js');

/** A fixture pipeline file, by name. */
export const fixture = (name: string): string => resolve(__dirname, '..', 'fixtures', name);

/** The flagship example. */
export const FLAGSHIP = resolve(__dirname, '..', '..', '..', '..', 'examples', 'flagship', 'ml-pipeline.ts');

/** How a finished `pipewright` process ended. */
export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `pipewright` process still running, with what it has printed so far. */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves once stdout (or stderr) has printed something matching `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  readonly done: Promise<CliOutcome>;
}

/** Starts `node bin/pipewright.js ...args` in `cwd`, without a terminal (stdout is a pipe). */
export const startCli = (args: readonly string[], cwd: string): CliProcess => {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const check = (): void => {
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(stdout) || watcher.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const done = new Promise<CliOutcome>((resolveDone) => {
    child.on('close', (code) => resolveDone({ code, stdout, stderr }));
  });
  return {
    child,
    done,
    waitFor: (pattern) =>
      new Promise<void>((resolveWait, reject) => {
        watchers.push({ pattern, resolve: resolveWait });
        check();
        void done.then(() => reject(new Error(`pipewright ended before printing ${String(pattern)}:\n${stdout}\n${stderr}`)));
      }),
  };
};

/** Runs `pipewright ...args` to its end. */
export const runCli = (args: readonly string[], cwd: string): Promise<CliOutcome> => startCli(args, cwd).done;

/** A fresh working directory (where `.pipewright/runs.db` lands), removed by the returned function. */
export const workDir = (): { readonly path: string; readonly remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), 'pipewright-cli-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
};

/** Lines of output, without the empty last one. */
export const linesOf = (text: string): string[] => text.split('\n').filter((line) => line !== '');
