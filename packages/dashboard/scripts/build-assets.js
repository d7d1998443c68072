'use strict';
// Bundles the dashboard's front-end (client/) into dist/public with esbuild: one app.js and one
// app.css, served by the package itself (no CDN). Run by `npm run build` after tsc, and by the
// test suite's global setup when the bundle is missing or older than its sources.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const outdir = join(root, 'dist', 'public');
const sources = [join(root, 'client'), join(root, 'src', 'view-model.ts')];

const newestSource = () => {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of sources) visit(path);
  return newest;
};

/** `true` when dist/public lacks the bundle or a source changed since it was built. */
const isStale = () => {
  const outputs = ['app.js', 'app.css'].map((name) => join(outdir, name));
  if (!outputs.every((path) => existsSync(path))) return true;
  const built = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  return newestSource() > built;
};

/** Builds the bundle (always, or only when stale with `{ ifStale: true }`). */
const buildAssets = async ({ ifStale = false } = {}) => {
  if (ifStale && !isStale()) return false;
  const { build } = require('esbuild');
  await build({
    entryPoints: { app: join(root, 'client', 'main.ts') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome109', 'firefox115', 'safari16'],
    outdir,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  return true;
};

module.exports = { buildAssets, isStale, outdir };

if (require.main === module) {
  buildAssets().catch((error) => {
    process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
