import Module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { transpile } from './transpile';

/** The TypeScript extensions the hook compiles. */
export const TYPESCRIPT_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.tsx'];

/** What node's CommonJS loader exposes to hooks; not in its public typings. */
interface LoaderInternals {
  _extensions: Record<string, (module: Module & { _compile(code: string, file: string): void }, file: string) => void>;
  _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string;
}

/** Options of {@link registerTypeScript}. */
export interface RegisterOptions {
  /** Bare specifiers answered with a file (the repository maps `@pipewright/*` to sources). */
  readonly aliases?: Readonly<Record<string, string>>;
}

const REGISTERED = Symbol.for('pipewright.typescript-hook');

// ESM sources write `./steps.js` for `./steps.ts` (what tsc's node16/nodenext resolution wants).
const JS_TO_TS: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

const tsTwinOf = (path: string): string | undefined => {
  for (const [js, twins] of Object.entries(JS_TO_TS)) {
    if (!path.endsWith(js)) continue;
    const base = path.slice(0, -js.length);
    return twins.map((twin) => `${base}${twin}`).find((candidate) => existsSync(candidate));
  }
  return undefined;
};

/**
 * Makes `require` load TypeScript files, once per process: each is transpiled by
 * {@link transpile} and run as CommonJS, so `.ts` and `.mts` files, in `"type": "module"`
 * packages or not, load the same way. A relative `./x.js` that only exists as `./x.ts` is
 * found. Source maps are inline and turned on, so stack traces name TypeScript lines.
 */
export const registerTypeScript = (options: RegisterOptions = {}): void => {
  const state = process as unknown as Record<symbol, boolean>;
  if (state[REGISTERED] === true) return;
  state[REGISTERED] = true;
  process.setSourceMapsEnabled(true);
  const loader = Module as unknown as LoaderInternals;
  const compile: LoaderInternals['_extensions'][string] = (module, file) => {
    module._compile(transpile(readFileSync(file, 'utf8'), file), file);
  };
  for (const extension of TYPESCRIPT_EXTENSIONS) loader._extensions[extension] = compile;

  const resolve = loader._resolveFilename;
  const aliases = options.aliases ?? {};
  loader._resolveFilename = function resolveWithTypeScript(this: unknown, request: string, parent: unknown, ...rest: unknown[]): string {
    const alias = aliases[request];
    if (alias !== undefined) return alias;
    try {
      return resolve.call(this, request, parent, ...rest);
    } catch (error) {
      const relative = request.startsWith('./') || request.startsWith('../') || isAbsolute(request);
      if (!relative) throw error;
      // Resolve the `.js` spelling as node would, then look for the TypeScript file beside it.
      const from = (parent as { path?: string } | undefined)?.path ?? process.cwd();
      const twin = tsTwinOf(isAbsolute(request) ? request : `${from}/${request}`);
      if (twin === undefined) throw error;
      return resolve.call(this, twin, parent, ...rest);
    }
  };
};
