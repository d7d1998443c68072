/**
 * @pipewright/core: decorators, scanner, graph, RxJS engine, in-process executor, memory store.
 *
 * Import `reflect-metadata` once at your program's entry, before any decorated class.
 */
import 'reflect-metadata';

// Definition
export { Pipeline } from './decorators/pipeline.decorator';
export { Task } from './decorators/task.decorator';
export { Step, BeforeStep, AfterStep } from './decorators/step.decorator';
export { Registry, registry } from './decorators/registry';
export type { RegistryEntry, RegistryKind } from './decorators/registry';
export type {
  CacheOption,
  Constructor,
  Params,
  ParamsSpec,
  PipelineOptions,
  PreExecuteResult,
  RetryOptions,
  RetryPolicy,
  RetryPredicate,
  StepOptions,
  TaskOptions,
} from './decorators/options';
export { scanPipeline } from './metadata/scanner';
export { definePipeline, PipelineBuilder } from './metadata/pipeline-builder';
export type { BuilderStepOptions } from './metadata/pipeline-builder';
export type { PipelineDefinition, StepHook } from './metadata/pipeline-definition';

// Graph
export { PipelineGraph } from './graph/pipeline-graph';
export type { StepBody, StepFunction, StepNode, TemplateRef } from './graph/step-node';

// Running
export { Engine } from './engine/engine';
export type { EngineOptions, PipelineSource, ResumeOptions } from './engine/engine';
export type { RunHandle, RunHandleStatus, RunOptions } from './engine/run-handle';
export type { OutputOf, ParamsOf, ParentsOf, SpawnOptions, StepArtifacts, StepContext } from './engine/step-context';
export { isSuccess, isTerminal } from './engine/results';
export type { ArtifactRef, ErrorInfo, LogEntry, RunResult, RunStatus, StepResult, StepStatus } from './engine/results';
export type {
  EventBase,
  PipelineEvent,
  PipelineEventType,
  RunEndedEvent,
  RunEvent,
  RunStartedEvent,
  StepCreatedEvent,
  StepEvent,
  StepEventBase,
  StepFailedEvent,
  StepLogEvent,
  StepMetricEvent,
  StepQueuedEvent,
  StepRetryingEvent,
  StepSkippedEvent,
  StepStartedEvent,
  StepWaitingEvent,
  StepSucceededEvent,
} from './engine/events';
export { statusOfEvent } from './engine/events';

// Executors
export { InProcessExecutor, createStepContext } from './executors/in-process.executor';
export type { Executor, LocalScope, StepChannel, StepRequest } from './executors/executor';

// Stores
export { MemoryStore } from './stores/memory.store';
export type { MemoryStoreOptions } from './stores/memory.store';
export { MemoryArtifactStore } from './stores/memory-artifact.store';
export { FileArtifactStore } from './stores/file-artifact.store';
export type { FileArtifactStoreOptions } from './stores/file-artifact.store';
export type { ArtifactInput, ArtifactStore } from './stores/artifact-store';
export type { CacheEntry, HistoryQuery, RunRecord, RunStore, RunSummary, StoredRun } from './stores/store';

export { currentStep } from './engine/current-step';

// Errors
export { fromErrorInfo, toErrorInfo } from './engine/error-info';
export { EngineError, ParameterError, PipelineDefinitionError, PipewrightError, StepError } from './errors/errors';
export type {
  DefinitionErrorCode,
  EngineErrorCode,
  ParameterErrorCode,
  PipewrightErrorCode,
  StepErrorCode,
} from './errors/errors';
export { findUnserializable } from './engine/serializable';
export type { SerializationProblem } from './engine/serializable';

// Controller helpers over events$
export { ofType } from './operators/of-type';
export { ofStep } from './operators/of-step';
export type { StepSelector } from './operators/step-selector';
export { stepStatuses } from './operators/step-statuses';
export type { StepStatuses } from './operators/step-statuses';
export { progress } from './operators/progress';
export type { Progress } from './operators/progress';
export { whenStep } from './operators/when-step';

// Graph pictures
export { toMermaid } from './graph/to-mermaid';
export { toDot } from './graph/to-dot';
export type { GraphStatuses } from './graph/status-colours';
