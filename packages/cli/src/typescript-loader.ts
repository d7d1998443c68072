/** Where ts-node records the service it registered (set by `ts-node.register`). */
const TS_NODE_INSTANCE = Symbol.for('ts-node.register.instance');

/**
 * Makes `require` understand TypeScript, once per process. The `bin` shim has usually done
 * it already (with the repository's tsconfig and its paths); a built CLI does it here, on the
 * first `.ts` pipeline file, transpile-only so that startup stays short.
 */
export const ensureTypeScript = (): void => {
  if ((process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE] !== undefined) return;
  // Loaded lazily: a .js pipeline file never pays for the TypeScript compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: only the commands that use it pay for it
  const tsNode = require('ts-node') as typeof import('ts-node');
  tsNode.register({ transpileOnly: true });
};
