import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { DEFAULT_VERSION, TASK_OPTIONS } from './constants';
import type { Constructor, TaskOptions } from '../model/options';
import { registry } from './registry';
import { callerModule, SOURCE_MODULE } from './caller-module';

/**
 * Marks a class as a task template: a class with `execute(ctx)` and default `params`, cloned
 * (resolved afresh through tsyringe) by every step that uses it.
 */
export function Task(options: TaskOptions): ClassDecorator {
  return (target) => {
    const ctor = target as unknown as Constructor;
    Reflect.defineMetadata(TASK_OPTIONS, options, ctor);
    const file = callerModule();
    if (file !== undefined) Reflect.defineMetadata(SOURCE_MODULE, file, ctor);
    injectable()(ctor);
    registry.register({ kind: 'task', name: options.name, version: options.version ?? DEFAULT_VERSION, target: ctor });
  };
}
