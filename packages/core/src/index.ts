// Its types name Buffer and AbortSignal: bring node's types to a project that does not list them (TypeScript 6+ no longer loads every @types).
/// <reference types="node" preserve="true" />
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
} from './model/options';
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
export type { ForkOptions } from './engine/operate/fork';
export type { RecoverOptions } from './engine/operate/recover';
export type { ScheduleHandle, ScheduleInfo, ScheduleOptions } from './engine/operate/schedules';
export type { RunHandle, RunHandleStatus, RunOptions } from './engine/run-handle';
export type { OutputOf, ParamsOf, ParentsOf, SpawnOptions, StepArtifacts, StepContext, WaitOptions } from './model/step-context';
export { isSuccess, isTerminal } from './model/results';
export type { ArtifactRef, ErrorInfo, LogEntry, RunResult, RunStatus, StepResult, StepStatus } from './model/results';
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
} from './model/events';
export { OUTCOME_EVENT_TYPES, statusOfEvent } from './model/events';

// Executors
export { InProcessExecutor, createStepContext } from './adapters/in-process.executor';
export type { Executor, LocalScope, StepChannel } from './ports/executor';
export type { StepRequest } from './model/step-request';

// Stores
export { MemoryStore } from './adapters/memory.store';
export type { MemoryStoreOptions } from './adapters/memory.store';
export { MemoryArtifactStore } from './adapters/memory-artifact.store';
export { FileArtifactStore } from './adapters/file-artifact.store';
export type { FileArtifactStoreOptions } from './adapters/file-artifact.store';
export type { ArtifactInput, ArtifactStore } from './ports/artifact-store';
export type {
  Awaitable,
  CacheEntry,
  HistoryQuery,
  JournalEntry,
  Lease,
  LeaseHolder,
  RunRecord,
  RunStore,
  RunSummary,
  ScheduleRecord,
  SignalRecord,
  StepWait,
  StopRequest,
  StoredRun,
  StoredSchedule,
  WaitRecord,
} from './ports/run-store';

export { currentStep, trackCurrentStep } from './adapters/current-step';

// Errors
export { fromErrorInfo, toErrorInfo } from './engine/error-info';
export { EngineError, isStepErrorCode, ParameterError, PipelineDefinitionError, PipewrightError, StepError, STEP_ERROR_CODES, StoreError } from './errors/errors';
export type {
  DefinitionErrorCode,
  EngineErrorCode,
  ParameterErrorCode,
  PipewrightErrorCode,
  ResultErrorCode,
  SkipCode,
  StepErrorCode,
  StoreErrorCode,
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
