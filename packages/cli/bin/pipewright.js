#!/usr/bin/env node
'use strict';
// The `pipewright` command. Runs the built CLI when there is one (dist/), else the TypeScript
// sources through ts-node, so that it works in this repository straight after `npm ci`.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const built = join(__dirname, '..', 'dist', 'main.js');

const loadSources = () => {
  // The repository's tsconfig maps @pipewright/* to the packages' sources.
  const project = resolve(__dirname, '..', '..', '..', 'tsconfig.json');
  // Transpile-only: type checking belongs to `npm run typecheck`, not to every start.
  require('ts-node').register({ project, transpileOnly: true });
  const tsconfigPaths = require('tsconfig-paths');
  const config = tsconfigPaths.loadConfig(project);
  if (config.resultType === 'success') {
    tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
  }
  return require('../src/main.ts');
};

const { main } = existsSync(built) ? require(built) : loadSources();

main(process.argv).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`pipewright: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
