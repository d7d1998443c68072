import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Followed } from './support/followed-projects';
import { followProject, tarball } from './support/followed-projects';
import type { CommandOutcome } from './support/readme-projects';
import { readmeProjects, ROOT, shOk } from './support/readme-projects';

/**
 * A new user's first steps, outside this repository: build and pack the packages, then follow
 * README's "Install in your project" literally: a CommonJS project without a tsconfig and an ESM
 * project, with the registry's latest TypeScript; a project testing its pipeline with jest and
 * @pipewright/testing; a program serving @pipewright/dashboard from its own node:http server.
 * The only liberty taken: `npm install @pipewright/<name>` installs the tarball just packed
 * instead of the published package.
 */
const PACKAGES = ['core', 'sqlite', 'bullmq', 'cli', 'testing', 'dashboard'] as const;
const PROJECTS = ['cjs', 'esm', 'kit', 'dashboard'] as const;

// Build, pack and four installs from the registry (through npm's cache) on a busy 2-core machine.
jest.setTimeout(15 * 60_000);

const projects = readmeProjects();
const work = mkdtempSync(join(tmpdir(), 'pipewright-install-'));
const packs = join(work, 'packs');
const followed = new Map<string, Followed>();
let latestTypeScript = '';

const dirOf = (project: string): string => followed.get(project)?.dir ?? '';
const manifestIn = (project: string, path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(dirOf(project), 'node_modules', path, 'package.json'), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  latestTypeScript = (await shOk('npm view typescript version', work)).stdout.trim();
  await shOk('npm run build', ROOT);
  mkdirSync(packs);
  await shOk(`npm pack --pack-destination ${packs} ${PACKAGES.map((name) => `-w packages/${name}`).join(' ')}`, ROOT);
  // The projects install at once: npm waits on the network and the disk more than on the CPU.
  const all = await Promise.all(PROJECTS.map((name) => followProject(work, packs, name, projects.get(name))));
  PROJECTS.forEach((name, index) => followed.set(name, all[index] as Followed));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const outcomeOf = (project: string, command: string): CommandOutcome => {
  const outcome = followed.get(project)?.outcomes.get(command);
  if (outcome === undefined) throw new Error(`README's ${project} project has no command '${command}'`);
  return outcome;
};

const expectSuccess = (project: string, command: string): string => {
  const { code, stdout, stderr } = outcomeOf(project, command);
  // tsc reports on stdout, npm and node on stderr: a failure shows both.
  expect({ command, code, output: code === 0 ? '' : `${stdout}\n${stderr}` }).toEqual({ command, code: 0, output: '' });
  return stdout;
};

describe('the packed tarballs', () => {
  it('ship LICENSE, README, the build with self-contained source maps, and nothing of the repository', async () => {
    for (const name of PACKAGES) {
      const listing = (await shOk(`tar -tzf ${tarball(packs, name)}`, work)).stdout.split('\n').filter(Boolean);
      expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts']));
      expect(listing.filter((path) => /\/(src|test|bench|client|scripts)\/|tsconfig|\.ts$(?<!\.d\.ts)/.test(path))).toEqual([]);
    }
  });

  it('ship the dashboard\'s front-end, bundled by its build', async () => {
    const listing = (await shOk(`tar -tzf ${tarball(packs, 'dashboard')}`, work)).stdout.split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/dist/public/app.js', 'package/dist/public/app.css']));
  });

  it('declare exports with types, engines, repository, publishConfig and peer dependencies', () => {
    const installed = (name: string) => manifestIn('cjs', `@pipewright/${name}`);
    const everyManifest = [...['core', 'cli', 'sqlite'].map((name) => ['cjs', name]), ['kit', 'testing'], ['dashboard', 'dashboard']];
    for (const [project = '', name = ''] of everyManifest) {
      const manifest = manifestIn(project, `@pipewright/${name}`);
      expect(manifest).toMatchObject({ engines: { node: '>=20.19' }, license: 'MIT', publishConfig: { access: 'public' } });
      expect(manifest.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' });
      expect(manifest.repository).toMatchObject({ directory: `packages/${name}` });
    }
    expect(Object.keys(installed('core').peerDependencies as object).sort()).toEqual(['reflect-metadata', 'rxjs', 'tsyringe']);
    expect(installed('cli').peerDependenciesMeta).toEqual({ '@pipewright/sqlite': { optional: true }, '@pipewright/bullmq': { optional: true }, '@pipewright/dashboard': { optional: true } });
  });
});

describe.each(['cjs', 'esm'])('README\'s %s project', (project) => {
  const dir = (): string => dirOf(project);
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

describe('README\'s kit project: jest and @pipewright/testing', () => {
  it('installs with TypeScript 5 for ts-jest, one copy of the core and of rxjs', () => {
    for (const command of projects.get('kit')?.commands.filter((line) => line.startsWith('npm ')) ?? []) expectSuccess('kit', command);
    expect(manifestIn('kit', 'typescript').version).toMatch(/^5\./);
    for (const absent of ['@pipewright/testing/node_modules/@pipewright/core', '@pipewright/testing/node_modules/rxjs', '@pipewright/core/node_modules/rxjs']) {
      expect({ absent, present: existsSync(join(dirOf('kit'), 'node_modules', absent)) }).toEqual({ absent, present: false });
    }
  });

  it('passes its three tests, the retrying one under fake timers', () => {
    const { code, stdout, stderr } = outcomeOf('kit', 'npx jest');
    expect({ code, stdout, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stdout, stderr: '' });
    expect(stderr).toMatch(/^Tests:\s+3 passed, 3 total$/m);
    expect(stderr).toMatch(/✓ load retries a busy warehouse after 10 s and 20 s, in no real time/);
  });
});

describe('README\'s dashboard project: createDashboard in its own node:http server', () => {
  it('installs, compiles with the latest TypeScript and lists the run it made at /api/runs', () => {
    for (const command of projects.get('dashboard')?.commands.filter((line) => line.startsWith('npm ')) ?? []) expectSuccess('dashboard', command);
    expect(manifestIn('dashboard', 'typescript').version).toBe(latestTypeScript);
    expectSuccess('dashboard', 'npx tsc --strict --experimentalDecorators --emitDecoratorMetadata --module commonjs --target es2022 --types node --outDir dist server.ts');
    const stdout = expectSuccess('dashboard', 'node dist/server.js');
    const runId = /^made (\S+)$/m.exec(stdout)?.[1] ?? '(no run id printed)';
    const listed = JSON.parse(/^\/api\/runs (.*)$/m.exec(stdout)?.[1] ?? 'null') as { runs?: unknown } | null;
    expect(listed?.runs).toEqual([expect.objectContaining({ runId, pipeline: 'nightly', status: 'succeeded' })]);
    expect(stdout).toMatch(/^\/ 200 \/assets\/app\.js 200 text\/javascript/m);
  });
});
