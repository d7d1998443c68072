import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository's root. */
export const ROOT = resolve(__dirname, '..', '..', '..', '..');

/** A project README's "Install in your project" section describes: its files and its commands. */
export interface ReadmeProject {
  /** Path inside the project → content. */
  readonly files: ReadonlyMap<string, string>;
  /** Shell command lines, in order. */
  readonly commands: readonly string[];
}

/**
 * Reads the projects out of README.md's "Install in your project" section: a fence
 * ```` ```ts file=cjs/main.ts ```` is a file of project `cjs`, a fence ```` ```sh run=cjs ```` its
 * commands. The test runs exactly these, so the README cannot drift from what is tested.
 */
export const readmeProjects = (): ReadonlyMap<string, ReadmeProject> => {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Install in your project\n');
  if (start < 0) throw new Error('README.md has no "## Install in your project" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const projects = new Map<string, { files: Map<string, string>; commands: string[] }>();
  const project = (name: string) => {
    const found = projects.get(name) ?? { files: new Map<string, string>(), commands: [] };
    projects.set(name, found);
    return found;
  };
  for (const fence of section.matchAll(/^```\w+ (file|run)=(\S+)\n([\s\S]*?)^```$/gm)) {
    const [, kind, target, body] = fence as unknown as [string, string, string, string];
    if (kind === 'file') {
      const slash = target.indexOf('/');
      project(target.slice(0, slash)).files.set(target.slice(slash + 1), body);
    } else {
      project(target).commands.push(...body.split('\n').filter((line) => line.trim() !== ''));
    }
  }
  return projects;
};

/** How a command ended. */
export interface CommandOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: without the `npm_*` variables that `npm test` sets (with
 * them, npm would treat this repository as the project) and without jest's.
 */
export const userEnvironment = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && name !== 'NODE_ENV' && name !== 'JEST_WORKER_ID' && name !== 'NODE_OPTIONS' && !name.startsWith('TS_NODE')) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' };
};

/** Runs one shell command line in `cwd` to its end. */
export const sh = (command: string, cwd: string): Promise<CommandOutcome> =>
  new Promise((resolveOutcome, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveOutcome({ code, stdout, stderr }));
  });

/** Like {@link sh}, but rejects, with what it printed, unless the command exits 0. */
export const shOk = async (command: string, cwd: string): Promise<CommandOutcome> => {
  const outcome = await sh(command, cwd);
  if (outcome.code !== 0) throw new Error(`'${command}' in ${cwd} exited ${String(outcome.code)}:\n${outcome.stdout}\n${outcome.stderr}`);
  return outcome;
};
