/** Metadata keys written by the decorators and read by `metadata/`. Nothing else touches them. */
export const PIPELINE_OPTIONS = Symbol.for('@pipewright/core:pipeline-options');
export const TASK_OPTIONS = Symbol.for('@pipewright/core:task-options');
export const STEPS = Symbol.for('@pipewright/core:steps');
export const BEFORE_STEP_HOOKS = Symbol.for('@pipewright/core:before-step-hooks');
export const AFTER_STEP_HOOKS = Symbol.for('@pipewright/core:after-step-hooks');

/** Version given to pipelines and tasks that do not declare one. */
export const DEFAULT_VERSION = '0.0.0';
