import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SOURCE_MODULE } from '../decorators/caller-module';

interface SourceMap {
  readonly sources?: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
}

const MAP_COMMENT = /\/\/# sourceMappingURL=(\S+)\s*$/;

/**
 * The TypeScript source behind a loaded file, when there is one to find: the file itself for a
 * `.ts` file (ts-node, tsx and the CLI run those by name), else what its source map embeds or
 * points to (tsc's output), else the file as it is.
 */
const sourceText = (file: string): string => {
  const text = readFileSync(file, 'utf8');
  const comment = MAP_COMMENT.exec(text)?.[1];
  if (comment === undefined) return text;
  try {
    const inline = /^data:application\/json;(?:charset=[^;,]+;)?base64,(.*)$/.exec(comment);
    const mapFile = inline === null ? resolve(dirname(file), comment) : undefined;
    const map = JSON.parse(inline !== null ? Buffer.from(inline[1] as string, 'base64').toString('utf8') : readFileSync(mapFile as string, 'utf8')) as SourceMap;
    const embedded = map.sourcesContent?.[0];
    if (typeof embedded === 'string') return embedded;
    const source = map.sources?.[0];
    const path = source === undefined ? undefined : resolve(dirname(mapFile ?? file), source);
    return path !== undefined && existsSync(path) ? readFileSync(path, 'utf8') : text;
  } catch {
    return text;
  }
};

const hashes = new Map<string, string>();

/**
 * A hash of a module's source, read once per process: what cache keys and `resume()`'s change
 * check use for the steps a module declares, so a change anywhere in the module (a helper a
 * step calls, a constant) counts, and the same source hashes the same under any toolchain.
 */
export const moduleHash = (file: string): string | undefined => {
  const known = hashes.get(file);
  if (known !== undefined) return known;
  let source: string;
  try {
    source = sourceText(file);
  } catch {
    return undefined;
  }
  // Line endings differ between checkouts of the same source.
  const hash = createHash('sha256').update(source.replace(/\r\n/g, '\n')).digest('hex').slice(0, 16);
  hashes.set(file, hash);
  return hash;
};

/** The module hash recorded for a decorated class, if its file could be read. */
export const classModuleHash = (target: unknown): string | undefined => {
  if (typeof target !== 'function') return undefined;
  const file = Reflect.getOwnMetadata(SOURCE_MODULE, target) as string | undefined;
  return file === undefined ? undefined : moduleHash(file);
};
