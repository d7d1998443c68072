/**
 * Jest global setup: the dashboard's pages load dist/public/app.js, which `npm run build`
 * makes. A clean clone has none, so the suite builds it here (once, and only when missing or
 * older than client/), with the same script as the package build.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is plain JavaScript, shared with the package's build
const { buildAssets } = require('../../scripts/build-assets.js') as { buildAssets: (options: { ifStale: boolean }) => Promise<boolean> };

const globalSetup = async (): Promise<void> => {
  await buildAssets({ ifStale: true });
};

export { globalSetup as default };
