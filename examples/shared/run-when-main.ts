import type { RunResult } from '@pipewright/core';

/**
 * Runs an example's `main()` when its file is executed directly (not when a test imports it),
 * and sets the exit code from the run's status: 0 when it succeeded, 1 otherwise.
 */
export const runWhenMain = (module: NodeModule, main: () => Promise<RunResult>): void => {
  if (require.main !== module) return;
  main().then(
    (result) => {
      process.exitCode = result.status === 'succeeded' ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
};
