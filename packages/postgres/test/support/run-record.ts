import type { RunRecord } from '@pipewright/core';

/** A running run's record, as the engine would stage it, for specs that drive the store directly. */
export const record = (runId: string): RunRecord => ({
  runId,
  pipeline: 'p',
  version: '1',
  params: {},
  input: {},
  fingerprint: {},
  status: 'running',
  startedAt: 1,
  endedAt: undefined,
  error: undefined,
});
