#!/usr/bin/env node
'use strict';
// The `pipewright` command. An installed package runs its built CLI (dist/). In the Pipewright
// repository, where the sources sit beside it, it runs them instead, so that it works straight
// after `npm ci` and never runs a stale build.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const sources = join(__dirname, '..', 'src');
const repository = join(__dirname, '..', '..', '..');

const loadSources = () => {
  // Bootstrap: just enough of a hook to load the real one (src/loader), which then replaces it.
  const ts = require('typescript');
  const bootstrap = (module, file) => {
    const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    module._compile(ts.transpileModule(require('node:fs').readFileSync(file, 'utf8'), { compilerOptions: options }).outputText, file);
  };
  require.extensions['.ts'] = bootstrap;
  const { registerTypeScript } = require(join(sources, 'loader', 'register.ts'));
  // The workspace packages' `main` is their build; map them to their sources like tsconfig's paths do.
  const aliases = {};
  for (const name of ['core', 'sqlite', 'bullmq', 'cli', 'dashboard', 'testing', 'postgres']) aliases[`@pipewright/${name}`] = join(repository, 'packages', name, 'src', 'index.ts');
  registerTypeScript({ aliases });
  return require(join(sources, 'main.ts'));
};

const inRepository = existsSync(join(sources, 'main.ts')) && existsSync(join(repository, 'lerna.json'));
const { main } = inRepository ? loadSources() : require('../dist/main.js');

// Node exits quietly (status 0) when nothing is left to wait for, even with the command's
// promise unsettled: a step or callback awaiting a promise that can never settle. Say so instead.
const onStall = () => {
  process.stderr.write('pipewright: the run stalled: a step or callback awaits a promise that can never settle.\n');
  process.exit(1);
};
process.once('beforeExit', onStall);

main(process.argv).then(
  (code) => {
    process.removeListener('beforeExit', onStall);
    process.exit(code);
  },
  (error) => {
    process.stderr.write(`pipewright: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
