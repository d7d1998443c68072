import 'reflect-metadata';
import { AFTER_STEP_HOOKS, BEFORE_STEP_HOOKS, PIPELINE_OPTIONS, STEPS, TASK_OPTIONS } from '../decorators/constants';
import type { Constructor, PipelineOptions, TaskOptions } from '../model/options';
import type { StepRecord } from '../decorators/step.decorator';

/** `@Pipeline` options of a class, if it has them (own, not inherited). */
export const readPipelineOptions = (target: unknown): PipelineOptions | undefined =>
  typeof target === 'function' ? (Reflect.getOwnMetadata(PIPELINE_OPTIONS, target) as PipelineOptions | undefined) : undefined;

/** `@Task` options of a class, if it has them. */
export const readTaskOptions = (target: unknown): TaskOptions | undefined =>
  typeof target === 'function' ? (Reflect.getOwnMetadata(TASK_OPTIONS, target) as TaskOptions | undefined) : undefined;

/** Values recorded under `key` on the class and its base classes, base first. */
const readChain = <T>(key: symbol, target: Constructor): T[] => {
  const chain: Constructor[] = [];
  for (let ctor: unknown = target; typeof ctor === 'function' && ctor !== Function.prototype; ctor = Object.getPrototypeOf(ctor)) {
    chain.unshift(ctor as Constructor);
  }
  return chain.flatMap((ctor) => (Reflect.getOwnMetadata(key, ctor) as T[] | undefined) ?? []);
};

/** The `@Step` records of a pipeline class, base classes first. */
export const readSteps = (target: Constructor): StepRecord[] => readChain<StepRecord>(STEPS, target);

/** Names of `@BeforeStep` methods. */
export const readBeforeStepHooks = (target: Constructor): string[] => readChain<string>(BEFORE_STEP_HOOKS, target);

/** Names of `@AfterStep` methods. */
export const readAfterStepHooks = (target: Constructor): string[] => readChain<string>(AFTER_STEP_HOOKS, target);
