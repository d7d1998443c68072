import type { Config } from 'jest';

/**
 * One jest run covers every workspace. Tests import packages by their public names
 * (`@pipewright/core`), mapped to the TypeScript sources so no build step is needed.
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/benchmarks'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@pipewright/(core|sqlite|postgres|bullmq|cli|testing|dashboard)$': '<rootDir>/packages/$1/src/index.ts',
  },
  // Builds the dashboard's front-end bundle when it is missing or stale (its browser tests serve it).
  globalSetup: '<rootDir>/packages/dashboard/test/support/global-setup.ts',
  testTimeout: 30_000,
};

export { config as default };
