import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandOutcome } from './support/readme-projects';
import { readmeProjects, ROOT, sh, shOk } from './support/readme-projects';

/**
 * A new user's first steps, outside this repository: build and pack the packages, then follow
 * README's "Install in your project" literally in a CommonJS project without a tsconfig and in an
 * ESM project, with the registry's latest TypeScript. The only liberty taken: `npm install
 * @pipewright/<name>` installs the tarball just packed instead of the published package.
 */
const PACKAGES = ['core', 'sqlite', 'bullmq', 'cli'] as const;

// Build, pack and two installs from the registry (through npm's cache) on a busy 2-core machine.
jest.setTimeout(15 * 60_000);

interface Followed {
  readonly dir: string;
  readonly outcomes: ReadonlyMap<string, CommandOutcome>;
}

const projects = readmeProjects();
const work = mkdtempSync(join(tmpdir(), 'pipewright-install-'));
const packs = join(work, 'packs');
const followed = new Map<string, Followed>();
let latestTypeScript = '';

const tarball = (name: string): string => join(packs, `pipewright-${name}-0.1.0.tgz`);

/** The README's command, with `@pipewright/<name>` pointing at its tarball. */
const localised = (command: string): string =>
  command.startsWith('npm install ') ? command.replace(/@pipewright\/(\w+)/g, (_match, name: string) => tarball(name)) : command;

const follow = async (name: string): Promise<Followed> => {
  const project = projects.get(name);
  if (project === undefined) throw new Error(`README describes no project '${name}'`);
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [path, content] of project.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const outcomes = new Map<string, CommandOutcome>();
  for (const command of project.commands) outcomes.set(command, await sh(localised(command), dir));
  return { dir, outcomes };
};

beforeAll(async () => {
  latestTypeScript = (await shOk('npm view typescript version', work)).stdout.trim();
  await shOk('npm run build', ROOT);
  mkdirSync(packs);
  await shOk(`npm pack --pack-destination ${packs} ${PACKAGES.map((name) => `-w packages/${name}`).join(' ')}`, ROOT);
  // The two projects install at once: npm waits on the network and the disk more than on the CPU.
  const [cjs, esm] = await Promise.all([follow('cjs'), follow('esm')]);
  followed.set('cjs', cjs).set('esm', esm);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const outcomeOf = (project: string, command: string): CommandOutcome => {
  const outcome = followed.get(project)?.outcomes.get(command);
  if (outcome === undefined) throw new Error(`README's ${project} project has no command '${command}'`);
  return outcome;
};

const expectSuccess = (project: string, command: string): string => {
  const { code, stdout, stderr } = outcomeOf(project, command);
  expect({ command, code, stderr: code === 0 ? '' : stderr }).toEqual({ command, code: 0, stderr: '' });
  return stdout;
};

describe('the packed tarballs', () => {
  it('ship LICENSE, README, the build with self-contained source maps, and nothing of the repository', async () => {
    for (const name of PACKAGES) {
      const listing = (await shOk(`tar -tzf ${tarball(name)}`, work)).stdout.split('\n').filter(Boolean);
      expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts']));
      expect(listing.filter((path) => /\/(src|test|bench)\/|tsconfig|\.ts$(?<!\.d\.ts)/.test(path))).toEqual([]);
    }
  });

  it('declare exports with types, engines, repository, publishConfig and peer dependencies', () => {
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(followed.get('cjs')?.dir ?? '', 'node_modules', '@pipewright', name, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const name of ['core', 'cli', 'sqlite']) {
      const manifest = installed(name);
      expect(manifest).toMatchObject({ engines: { node: '>=20.19' }, license: 'MIT', publishConfig: { access: 'public' } });
      expect(manifest.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' });
      expect(manifest.repository).toMatchObject({ directory: `packages/${name}` });
    }
    expect(Object.keys(installed('core').peerDependencies as object).sort()).toEqual(['reflect-metadata', 'rxjs', 'tsyringe']);
    expect(installed('cli').peerDependenciesMeta).toEqual({ '@pipewright/sqlite': { optional: true }, '@pipewright/bullmq': { optional: true }, '@pipewright/dashboard': { optional: true } });
  });
});

describe.each(['cjs', 'esm'])('README\'s %s project', (project) => {
  const dir = (): string => followed.get(project)?.dir ?? '';
  const commands = (): readonly string[] => projects.get(project)?.commands ?? [];
  const find = (prefix: string): string => commands().find((command) => command.startsWith(prefix)) ?? `(no '${prefix}' command)`;

  it('installs, with the latest TypeScript, one copy of rxjs, no BullMQ, no ts-node', () => {
    for (const command of commands().filter((line) => line.startsWith('npm '))) expectSuccess(project, command);
    const modules = join(dir(), 'node_modules');
    const version = (path: string) => (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version: string }).version;
    expect(version(join(modules, 'typescript'))).toBe(latestTypeScript);
    // The CLI compiles pipeline files with its own TypeScript 5.9, whatever the project's.
    expect(version(join(modules, '@pipewright', 'cli', 'node_modules', 'typescript'))).toMatch(/^5\.9\./);
    for (const absent of ['bullmq', 'ioredis', 'ts-node', 'tsconfig-paths', '@pipewright/bullmq', '@pipewright/core/node_modules/rxjs']) {
      expect({ absent, present: existsSync(join(modules, absent)) }).toEqual({ absent, present: false });
    }
    if (project === 'cjs') expect(existsSync(join(dir(), 'tsconfig.json'))).toBe(false);
  });

  it('draws the graph with npx pipewright graph', () => {
    expect(expectSuccess(project, find('npx pipewright graph'))).toMatch(/hello@0\.0\.0 · 2 steps[\s\S]*shout\s+◀ greet/);
  });

  it('runs the pipeline, with constructor injection, with npx pipewright run', () => {
    const stdout = expectSuccess(project, find('npx pipewright run'));
    expect(stdout).toMatch(/step\.succeeded shout → "HELLO YOU"/);
    expect(stdout).toMatch(/^run \w{21} succeeded/m);
  });

  it('lists the stored run with npx pipewright runs', () => {
    expect(expectSuccess(project, find('npx pipewright runs'))).toMatch(/\w{21}\s+hello@0\.0\.0\s+succeeded/);
  });

  it('compiles a program of its own with tsc and runs it with node', () => {
    expectSuccess(project, find('npx tsc'));
    expect(readdirSync(join(dir(), 'dist')).length).toBeGreaterThan(0);
    expect(expectSuccess(project, find('node '))).toMatch(/^succeeded "HELLO COMPILED"$/m);
  });
});
