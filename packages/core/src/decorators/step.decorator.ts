import 'reflect-metadata';
import { AFTER_STEP_HOOKS, BEFORE_STEP_HOOKS, STEPS } from './constants';
import type { StepOptions } from '../model/options';

/** What `@Step` records for one member. */
export interface StepRecord {
  /** The member's name: the step's name. */
  readonly member: string;
  /** `method` when the member is a method (its body is the work), `property` for template steps. */
  readonly kind: 'method' | 'property';
  readonly options: StepOptions;
}

const append = <T>(key: symbol, target: object, value: T): void => {
  const previous = (Reflect.getOwnMetadata(key, target) as T[] | undefined) ?? [];
  Reflect.defineMetadata(key, [...previous, value], target);
};

/**
 * Declares a step: on a method, the method body is the work; on a property, `template` names
 * the `@Task` or `@Pipeline` it clones.
 */
export function Step(options: StepOptions = {}): PropertyDecorator & MethodDecorator {
  return (target: object, member: string | symbol, descriptor?: PropertyDescriptor) => {
    append<StepRecord>(STEPS, target.constructor, {
      member: String(member),
      kind: descriptor !== undefined && typeof descriptor.value === 'function' ? 'method' : 'property',
      options,
    });
  };
}

/** Marks a method to run before every step with the step's context; returning `false` skips the step. */
export function BeforeStep(): MethodDecorator {
  return (target, member) => append<string>(BEFORE_STEP_HOOKS, target.constructor, String(member));
}

/** Marks a method to run after every step that ran or was cached, with `(ctx, stepResult)`. */
export function AfterStep(): MethodDecorator {
  return (target, member) => append<string>(AFTER_STEP_HOOKS, target.constructor, String(member));
}
