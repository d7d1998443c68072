import { PipewrightError } from '@pipewright/core';
import type { RunHandle } from '@pipewright/core';
import type { DashboardEngine } from '../dashboard-engine';

/** A run the dashboard itself started (Resume, Rerun): its hooks hear of it. */
export interface StartedRun {
  /** The run's id: the same as the source's for Resume, a new one for Rerun. */
  readonly runId: string;
  /** The run it came from. */
  readonly from: string;
  readonly action: 'resume' | 'rerun';
  readonly handle: RunHandle;
}

/** Hooks shared by the actions. */
export interface ActionHooks {
  /** Loads the module that declares a stored run's pipeline, before the dashboard needs its class. */
  readonly loadPipeline?: (run: { readonly runId: string; readonly pipeline: string; readonly version: string }) => void | Promise<void>;
  /** Called when Resume or Rerun started a run in this process. */
  readonly onRunStarted?: (run: StartedRun) => void;
}

/** The outcome of an action: an HTTP status and a JSON body. */
export interface ActionOutcome {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Turns a thrown error into an answer. Pipewright's coded errors say what is wrong with the run
 * as it stands (locked, its code changed, its class not loaded): 404 for an unknown run, 409
 * otherwise. Anything else is the server's fault: 500.
 */
export const outcomeOfError = (error: unknown): ActionOutcome => {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PipewrightError) {
    return { status: error.code === 'RUN_NOT_FOUND' ? 404 : 409, body: { error: { code: error.code, message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message } } };
};

const notSupported = (what: string): ActionOutcome => ({
  status: 501,
  body: { error: { code: 'NOT_SUPPORTED', message: `This engine cannot ${what}.` } },
});

const loadFor = async (engine: DashboardEngine, runId: string, hooks: ActionHooks): Promise<void> => {
  if (hooks.loadPipeline === undefined) return;
  const { run } = await engine.inspect(runId);
  await hooks.loadPipeline({ runId, pipeline: run.pipeline, version: run.version });
};

/** A handle's result never rejects; this keeps a driven run from being an unobserved promise. */
const observe = (handle: RunHandle): void => {
  handle.result.catch(() => undefined);
};

/** The Stop button: stops the run wherever it is driven. */
export const stopAction = async (engine: DashboardEngine, runId: string): Promise<ActionOutcome> => {
  if (engine.stopRun === undefined) return notSupported('stop runs (engine.stopRun is missing)');
  await engine.stopRun(runId, 'stopped from the dashboard');
  return { status: 202, body: { runId } };
};

/** The Resume button: continues the run under its id, driven by this process. */
export const resumeAction = async (engine: DashboardEngine, runId: string, hooks: ActionHooks): Promise<ActionOutcome> => {
  await loadFor(engine, runId, hooks);
  const handle = engine.startResume(runId);
  observe(handle);
  hooks.onRunStarted?.({ runId: handle.id, from: runId, action: 'resume', handle });
  return { status: 202, body: { runId: handle.id } };
};

/** The Rerun-from-here button: a new run that re-runs `from` and its descendants. */
export const rerunAction = async (
  engine: DashboardEngine,
  runId: string,
  body: unknown,
  hooks: ActionHooks,
): Promise<ActionOutcome> => {
  if (engine.fork === undefined) return notSupported('rerun runs (engine.fork is missing)');
  const from = (body as { from?: unknown } | undefined)?.from;
  if (typeof from !== 'string' || from === '') {
    return { status: 400, body: { error: { code: 'BAD_REQUEST', message: "The body must be JSON with the step to rerun from: { \"from\": \"<step>\" }." } } };
  }
  await loadFor(engine, runId, hooks);
  const handle = engine.fork(runId, { from });
  observe(handle);
  hooks.onRunStarted?.({ runId: handle.id, from: runId, action: 'rerun', handle });
  return { status: 202, body: { runId: handle.id } };
};
