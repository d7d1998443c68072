import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { DEFAULT_VERSION, PIPELINE_OPTIONS } from './constants';
import type { Constructor, PipelineOptions } from '../model/options';
import { registry } from './registry';
import { callerModule, SOURCE_MODULE } from './caller-module';

/**
 * Marks a class as a pipeline: its `@Step` members are the steps. Records the options, enters
 * the class in the registry by name and version, and makes it injectable by tsyringe.
 */
export function Pipeline(options: PipelineOptions): ClassDecorator {
  return (target) => {
    const ctor = target as unknown as Constructor;
    Reflect.defineMetadata(PIPELINE_OPTIONS, options, ctor);
    const file = callerModule();
    if (file !== undefined) Reflect.defineMetadata(SOURCE_MODULE, file, ctor);
    injectable()(ctor);
    registry.register({ kind: 'pipeline', name: options.name, version: options.version ?? DEFAULT_VERSION, target: ctor });
  };
}
