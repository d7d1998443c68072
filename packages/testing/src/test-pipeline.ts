import { Engine } from '@pipewright/core';
import type { OutputOf, PipelineDefinition, PipelineEvent, PipelineSource, RunOptions, RunResult, StepContext } from '@pipewright/core';
import { PipelineGraph } from '@pipewright/core';
import { withBody } from './isolate';
import { testContainer } from './services';
import type { ServiceFake } from './services';
import { assertSteps, definitionOf } from './source';

/** A stand-in for a step's body: gets the step's real context, returns (or resolves with) its output. */
export type StepFake<Output = unknown> = (ctx: StepContext) => Output | Promise<Output>;

/** Fakes by step name; for a class, each is typed by what the step it replaces returns. */
export type StepFakes<Source> = Source extends abstract new (...args: never[]) => infer Instance
  ? { readonly [Name in keyof Instance & string]?: StepFake<OutputOf<Instance[Name]>> }
  : Readonly<Record<string, StepFake>>;

/** Options of {@link testPipeline}: a run's options, plus fakes and services. */
export interface TestPipelineOptions<Source = PipelineSource> extends RunOptions {
  /** Bodies replacing named steps' bodies; the steps keep their parents, parameters, retries and callbacks. */
  readonly fakes?: StepFakes<Source>;
  /** `[token, value]` pairs the pipeline and templates get injected instead of the real services. */
  readonly services?: readonly ServiceFake[];
}

/** A finished run with every event it published. */
export interface PipelineTestResult extends RunResult {
  /** Every event of the run, in the order it was published, from `run.started` to the final `run.*`. */
  readonly events: readonly PipelineEvent[];
}

/**
 * Runs a whole pipeline in memory, with `fakes` in place of the named steps' bodies. Resolves
 * with the `RunResult` and its events, whatever the run's status (it never rejects for a
 * failed step). Throws before running for an unknown step in `fakes` (`UNKNOWN_STEP`) or
 * invalid `params` (`ParameterError`), as `engine.run` does.
 */
export async function testPipeline<Source extends PipelineSource>(
  pipeline: Source,
  options: TestPipelineOptions<Source> = {},
): Promise<PipelineTestResult> {
  const { fakes, services, ...runOptions } = options;
  const definition = withFakes(definitionOf(pipeline), (fakes ?? {}) as Readonly<Record<string, StepFake | undefined>>);
  const engine = new Engine({ container: testContainer(services) });
  try {
    const handle = engine.start(definition, runOptions);
    const events: PipelineEvent[] = [];
    // Subscribed in the tick of start(): the stream then replays from run.started.
    handle.events$.subscribe((event) => events.push(event));
    const result = await handle.result;
    return { ...result, events };
  } finally {
    await engine.close();
  }
}

const withFakes = (definition: PipelineDefinition, fakes: Readonly<Record<string, StepFake | undefined>>): PipelineDefinition => {
  const named = Object.keys(fakes).filter((name) => fakes[name] !== undefined);
  if (named.length === 0) return definition;
  assertSteps(definition, named, 'fakes');
  const nodes = [...definition.graph].map((node) => {
    const fake = fakes[node.name];
    return fake === undefined ? node : withBody(node, fake);
  });
  return { ...definition, graph: PipelineGraph.from(definition.name, nodes) };
};
