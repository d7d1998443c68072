import { Engine, MemoryStore, StepError } from '@pipewright/core';
import type { OutputOf, Params, PipelineEvent, PipelineSource, StepErrorCode, StepEvent, StepResult } from '@pipewright/core';
import { TestingError } from './errors';
import type { ArtifactFakes } from './isolate';
import { isolateStep } from './isolate';
import { guardParents, missingParent } from './parents-guard';
import { referencedSteps } from './references';
import { testContainer } from './services';
import type { ServiceFake } from './services';
import { assertSteps, definitionOf } from './source';
import { WatchingExecutor } from './watch-executor';

/** A class's own keys that may name steps. */
type StepKey<Source> = Source extends abstract new (...args: never[]) => infer Instance ? keyof Instance & string : string;
type Member<Source, Name> = Source extends abstract new (...args: never[]) => infer Instance
  ? Name extends keyof Instance
    ? Instance[Name]
    : unknown
  : unknown;

/** Options of {@link testStep}. */
export interface TestStepOptions<Source = PipelineSource> {
  /** Outputs of the step's parents, by name. A parent left out may not be read. */
  readonly parents?: { readonly [Name in StepKey<Source>]?: unknown };
  /** Artifacts the parents stored, by parent then artifact name (for `ctx.artifacts.get` and `${p.artifacts.x}`). */
  readonly parentArtifacts?: { readonly [Name in StepKey<Source>]?: ArtifactFakes };
  /** Overrides of the step's own parameters, as a run's `'step.param'` values: declared names only. */
  readonly params?: Params;
  /** The pipeline's parameters (declared names only), over its defaults. */
  readonly pipelineParams?: Params;
  /** `[token, value]` pairs the pipeline and templates get injected instead of the real services. */
  readonly services?: readonly ServiceFake[];
}

/** What {@link testStep} resolves with once the step has succeeded. */
export interface StepTestResult<Output = unknown> {
  readonly output: Output;
  /** Lines the step logged, in order. */
  readonly logs: readonly string[];
  /** Latest value of each metric the step reported. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The bytes of each artifact the step stored, by name. */
  readonly artifacts: Readonly<Record<string, Buffer>>;
  /** Attempts it took (more than 1 after retries). */
  readonly attempts: number;
  /** The step's own events, in order. */
  readonly events: readonly StepEvent[];
  /** The step's result as a run records it. */
  readonly result: StepResult<Output>;
}

/**
 * Runs one step's body (method, function or template) with a real context, through the real
 * engine, with its parents' outputs given instead of computed. Resolves once it succeeded;
 * rejects with what the body threw when it failed, otherwise with a `StepError` (timeouts,
 * stops) or a `TestingError`: `UNKNOWN_STEP`, `NOT_A_PARENT`, `MISSING_PARENT`,
 * `UNDECLARED_PARENT`, `STEP_NOT_SUCCEEDED` (skipped, or a callback failed).
 */
export async function testStep<Source extends PipelineSource, Name extends StepKey<Source>>(
  pipeline: Source,
  step: Name,
  options: TestStepOptions<Source> = {},
): Promise<StepTestResult<OutputOf<Member<Source, Name>>>> {
  const definition = definitionOf(pipeline);
  assertSteps(definition, [step], 'testStep');
  const node = definition.graph.get(step);
  const declared = node?.parents ?? [];
  const outputs: Record<string, unknown> = { ...(options.parents ?? {}) };
  const artifacts = (options.parentArtifacts ?? {}) as Readonly<Record<string, ArtifactFakes>>;
  const given = new Set(Object.keys(outputs));
  for (const name of new Set([...given, ...Object.keys(artifacts)])) {
    if (!declared.includes(name)) {
      throw new TestingError('NOT_A_PARENT', `testStep was given '${name}', which is not a parent of step '${step}' (its parents: ${declared.join(', ') || 'none'}).`, {
        step,
        parent: name,
      });
    }
  }
  const overrides = options.params ?? {};
  for (const parent of referencedSteps(node as NonNullable<typeof node>)) {
    if (!given.has(parent) && !Object.hasOwn(artifacts, parent)) throw missingParent(step, parent, `\${${parent}.…} in its parameters`);
  }

  let badRead: TestingError | undefined;
  let stop: (() => unknown) | undefined;
  const executor = new WatchingExecutor(step, (parents) =>
    guardParents(parents, {
      step,
      declared,
      given,
      onBadRead: (error) => {
        badRead ??= error;
        // Stops the run, so a retrying step does not wait through its backoff for the same error.
        stop?.();
      },
    }),
  );
  const container = testContainer(options.services);
  const store = new MemoryStore();
  const engine = new Engine({ store, executor, container });
  try {
    const params: Params = { ...(options.pipelineParams ?? {}) };
    for (const [name, value] of Object.entries(overrides)) params[`${step}.${name}`] = value;
    const handle = engine.start(isolateStep(definition, step, { outputs, artifacts }, container), { params });
    stop = () => void handle.stop(`step '${step}' read a parent the test did not give`);
    const events: StepEvent[] = [];
    handle.events$.subscribe((event: PipelineEvent) => {
      if ('step' in event && event.step === step) events.push(event);
    });
    const run = await handle.result;
    const result = run.steps[step] as StepResult<OutputOf<Member<Source, Name>>>;
    if (badRead !== undefined) throw badRead;
    if (result.status !== 'succeeded' && result.status !== 'cached') throw failureOf(step, result, executor);
    const bytes: Record<string, Buffer> = {};
    for (const [name, ref] of Object.entries(result.artifacts)) bytes[name] = await store.artifacts.get(ref);
    return {
      output: result.output as OutputOf<Member<Source, Name>>,
      logs: result.logs.map((entry) => entry.message),
      metrics: result.metrics,
      artifacts: bytes,
      attempts: result.attempts,
      events,
      result,
    };
  } finally {
    await engine.close();
  }
}

/** The error that says best why the step did not succeed: its own, the engine's, or a description. */
const failureOf = (step: string, result: StepResult, executor: WatchingExecutor): unknown => {
  const { thrown, abortReason } = executor.record;
  const info = result.error;
  if (thrown !== undefined && thrown.error instanceof Error && thrown.error.message === info?.message) return thrown.error;
  // A thrown non-error (a string, say) is recorded as a description; the test gets the value itself.
  if (thrown !== undefined && !(thrown.error instanceof Error) && result.status === 'failed') return thrown.error;
  if (abortReason instanceof StepError && abortReason.message === info?.message) return abortReason;
  if (info?.code !== undefined && result.status === 'aborted') return new StepError(info.code as StepErrorCode, step, info.message);
  return new TestingError(
    'STEP_NOT_SUCCEEDED',
    `Step '${step}' ${result.status}${info ? `: ${info.message}${info.code !== undefined ? ` (${info.code})` : ''}` : ''}.`,
    { step },
  );
};
