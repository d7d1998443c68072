#!/usr/bin/env node
'use strict';
// The `pipewright` command. Runs the built CLI when there is one (dist/), else the TypeScript
// sources through ts-node, so that it works in this repository straight after `npm ci`.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const built = join(__dirname, '..', 'dist', 'main.js');

const loadSources = () => {
  // The repository's tsconfig maps @pipewright/* to the packages' sources. Its ts-node section
  // requires tsconfig-paths/register, which reads the project from TS_NODE_PROJECT.
  const project = resolve(__dirname, '..', '..', '..', 'tsconfig.json');
  process.env.TS_NODE_PROJECT = project;
  // Transpile-only: type checking belongs to `npm run typecheck`, not to every start.
  require('ts-node').register({ project, transpileOnly: true });
  if (require.cache[require.resolve('tsconfig-paths/register')] === undefined) {
    // A tsconfig without that hook: register the paths ourselves.
    const tsconfigPaths = require('tsconfig-paths');
    const config = tsconfigPaths.loadConfig(project);
    if (config.resultType === 'success') tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
  }
  return require('../src/main.ts');
};

const { main } = existsSync(built) ? require(built) : loadSources();

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
