import { EngineError } from '../../errors/errors';
import type { RunStore } from '../../ports/run-store';
import { findUnserializable } from '../serializable';
import type { LiveRun } from './live-runs';

/** What `engine.signal()` needs of its engine. */
export interface SignalContext {
  readonly store: RunStore;
  live(runId: string): LiveRun | undefined;
}

/**
 * `engine.signal(runId, name, payload)`: records the signal in the store (durably, at once), then
 * wakes the run's waiting steps if this engine drives it; an engine in another process picks it
 * up within its `pollMs`. A signal that no step waits for yet is kept for the `waitFor` to come.
 * Throws `INVALID_OPTION` (a name that is not a non-empty string), `SIGNAL_NOT_JSON` (naming the
 * offending path), `RUN_NOT_FOUND`, `RUN_FINISHED`, or `NOT_SUPPORTED` for a store without signals.
 */
export const sendSignal = async (context: SignalContext, runId: string, name: unknown, payload: unknown): Promise<void> => {
  if (typeof name !== 'string' || name === '') {
    throw new EngineError('INVALID_OPTION', `A signal's name must be a non-empty string, got ${JSON.stringify(name) ?? String(name)}.`, { runId, subject: 'name' });
  }
  const problem = payload === undefined ? { path: 'payload', reason: 'is undefined' } : findUnserializable(payload, 'payload');
  if (problem !== undefined) {
    throw new EngineError('SIGNAL_NOT_JSON', `The payload of signal '${name}' for run '${runId}' is not JSON: ${problem.path} ${problem.reason}.`, { runId, subject: problem.path });
  }
  const { store } = context;
  if (store.sendSignal === undefined) throw new EngineError('NOT_SUPPORTED', 'This store keeps no signals.', { runId });
  const stored = await store.getRun(runId);
  if (stored === undefined) throw new EngineError('RUN_NOT_FOUND', `No run '${runId}' in this engine's store.`, { runId });
  if (stored.run.status !== 'running') {
    throw new EngineError('RUN_FINISHED', `Run '${runId}' has ended (${stored.run.status}): it can no longer receive signal '${name}'.`, { runId, subject: name });
  }
  await store.sendSignal(runId, name, payload, Date.now());
  context.live(runId)?.handle.wakeSignals?.();
};
