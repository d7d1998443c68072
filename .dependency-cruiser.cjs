/**
 * The layers of DESIGN.md "Architecture", checked in `npm test`. Data flows one way:
 * decorators → metadata → scanner → graph → run → executor → events; each folder of
 * packages/core/src imports only its own layer or lower ones, and nothing imports in a cycle.
 *
 *   L0  model/ errors/                 the vocabulary; import nothing internal
 *   L1  graph/ decorators/             model, errors
 *   L2  metadata/ operators/ ports/    L0–L1 (metadata also decorators)
 *   L3  adapters/                      ports and below: they implement the ports
 *   L4  engine/                        everything below; Engine is the composition root that picks adapters
 *   index.ts                           the public API; nothing inside imports it
 */
const core = 'packages/core/src';
const layer = (name, from, allowed) => ({
  name,
  comment: `${from} may import only ${allowed.join(', ')} inside @pipewright/core`,
  severity: 'error',
  from: { path: `^${core}/(${from})/` },
  to: { path: `^${core}/`, pathNot: [`^${core}/(${[from, ...allowed].join('|')})/`] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and layers meaningless (type-only imports excepted: they vanish at run time).',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    layer('model-is-the-bottom', 'model', []),
    layer('errors-are-the-bottom', 'errors', []),
    layer('graph', 'graph', ['model', 'errors']),
    layer('decorators', 'decorators', ['model', 'errors', 'graph']),
    layer('metadata', 'metadata', ['model', 'errors', 'graph', 'decorators']),
    layer('operators', 'operators', ['model', 'errors', 'graph']),
    layer('ports', 'ports', ['model', 'errors', 'graph']),
    layer('adapters', 'adapters', ['model', 'errors', 'graph', 'ports']),
    {
      name: 'public-api-only-through-index',
      comment: 'Inside a package nothing imports its index; other packages import it by name, never by path.',
      severity: 'error',
      from: { path: '^packages/([^/]+)/src/' },
      to: { path: '^packages/$1/src/index\\.ts$' },
    },
    {
      name: 'no-reaching-into-another-package',
      comment: 'Packages use each other through their public names (@pipewright/x), not relative paths into src.',
      severity: 'error',
      from: { path: '^packages/([^/]+)/src/' },
      to: { path: '^packages/([^/]+)/src/', pathNot: '^packages/$1/src/', dependencyTypesNot: ['aliased'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(test|dist|node_modules)/' },
  },
};
