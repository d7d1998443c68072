import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandOutcome, ReadmeProject } from './readme-projects';
import { sh } from './readme-projects';

/** A README project, written out and its commands run, each to its end. */
export interface Followed {
  readonly dir: string;
  readonly outcomes: ReadonlyMap<string, CommandOutcome>;
}

/** The tarball `npm pack` writes for `@pipewright/<name>` into `packs`. */
export const tarball = (packs: string, name: string): string => join(packs, `pipewright-${name}-0.1.0.tgz`);

/**
 * The README's command, with `@pipewright/<name>` pointing at its tarball: the only liberty the
 * install test takes with what a user would type.
 */
export const localised = (packs: string, command: string): string =>
  command.startsWith('npm install ') ? command.replace(/@pipewright\/(\w+)/g, (_match, name: string) => tarball(packs, name)) : command;

/**
 * Writes the project's files into `<work>/<name>` and runs its commands in order, each whatever
 * the previous one did (the test asserts on every outcome, so one failure names its command).
 */
export const followProject = async (work: string, packs: string, name: string, project: ReadmeProject | undefined): Promise<Followed> => {
  if (project === undefined) throw new Error(`README describes no project '${name}'`);
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [path, content] of project.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const outcomes = new Map<string, CommandOutcome>();
  for (const command of project.commands) outcomes.set(command, await sh(localised(packs, command), dir));
  return { dir, outcomes };
};
