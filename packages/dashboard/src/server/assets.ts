import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { DashboardError } from '../errors';

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** One front-end file, read once. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** Content hash for `ETag`. */
  readonly etag: string;
}

/** The folder of this package (the one whose package.json names it), from sources or from dist/. */
const packageRoot = (): string => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@pipewright/dashboard') return dir;
    if (dirname(dir) === dir) throw new DashboardError('ASSETS_MISSING', `No @pipewright/dashboard package.json above ${__dirname}.`);
  }
};

/** Where the build puts the front-end bundle. */
export const assetsDir = (): string => join(packageRoot(), 'dist', 'public');

/**
 * Reads the front-end bundle into memory (a few hundred kilobytes): served from here, never
 * from a CDN. Throws `ASSETS_MISSING` when the package was not built.
 */
export const loadAssets = (dir: string = assetsDir()): ReadonlyMap<string, Asset> => {
  if (!existsSync(join(dir, 'app.js')) || !existsSync(join(dir, 'app.css'))) {
    throw new DashboardError(
      'ASSETS_MISSING',
      `The dashboard's front-end is not built (no app.js/app.css in ${dir}): run npm run build -w @pipewright/dashboard.`,
    );
  }
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
};
