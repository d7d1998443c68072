/**
 * @pipewright/testing: unit-test one step with a real context, run a whole pipeline in memory
 * with fake step bodies, and assert on its events; under fake timers, retries, backoffs and
 * timeouts pass without real waiting.
 */
export { testStep } from './test-step';
export type { StepTestResult, TestStepOptions } from './test-step';
export { testPipeline } from './test-pipeline';
export type { PipelineTestResult, StepFake, StepFakes, TestPipelineOptions } from './test-pipeline';
export type { ArtifactFakes } from './isolate';
export type { ServiceFake } from './services';
export { eventTrail, expectEventsInOrder } from './event-trail';
export type { TrailFilter } from './event-trail';
export { skipTime } from './skip-time';
export type { SkipTimeOptions } from './skip-time';
export { TestingError } from './errors';
export type { TestingErrorCode } from './errors';
