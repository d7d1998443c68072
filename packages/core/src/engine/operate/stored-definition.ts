import { registry } from '../../decorators/registry';
import { EngineError } from '../../errors/errors';
import type { PipelineDefinition } from '../../metadata/pipeline-definition';
import { scanPipeline } from '../../metadata/scanner';
import type { RunRecord } from '../../ports/run-store';
import { diffFingerprints } from '../definition-diff';
import { fingerprintOf } from '../fingerprint';

/**
 * The loaded definition of a stored run's pipeline, found in the registry by name and version.
 * Throws `PIPELINE_NOT_FOUND`, or `DEFINITION_CHANGED` (with `details`) unless `force`.
 */
export const storedDefinition = (run: RunRecord, force: boolean): PipelineDefinition => {
  const { runId, pipeline, version, fingerprint } = run;
  const target = registry.find('pipeline', pipeline, version);
  if (target === undefined) {
    throw new EngineError(
      'PIPELINE_NOT_FOUND',
      `Run '${runId}' belongs to pipeline '${pipeline}' version ${version}, which is not loaded: import the module that declares it before resuming.`,
      { runId },
    );
  }
  const definition = scanPipeline(target);
  // A memory store records no fingerprint (its runs cannot outlive the code that started them).
  const differences = Object.keys(fingerprint).length === 0 ? [] : diffFingerprints(fingerprint, fingerprintOf(definition));
  if (differences.length > 0 && !force) {
    throw new EngineError(
      'DEFINITION_CHANGED',
      `Pipeline '${pipeline}' changed since run '${runId}' began (${differences.join('; ')}). Resume with { force: true } to continue anyway.`,
      { runId, details: differences },
    );
  }
  return definition;
};
