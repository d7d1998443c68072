import 'reflect-metadata';
import type { Constructor } from '../model/options';
import { PipelineDefinitionError } from '../errors/errors';

/** Where tsyringe's `@inject(Token)` records its tokens, by parameter index. */
const INJECTION_TOKENS = 'injectionTokens';

/**
 * Refuses, at scan time, a class whose constructor needs arguments that tsyringe could not
 * supply: a parameter with neither a `design:paramtypes` entry (emitted by tsc with
 * `emitDecoratorMetadata`, dropped by esbuild, tsx and vitest) nor an `@inject(Token)`.
 * Without this check such a class fails only when a run resolves it ("TypeInfo not known"),
 * or gets `undefined` arguments.
 *
 * Throws `PipelineDefinitionError` `MISSING_INJECTION_METADATA`.
 */
export const checkInjectable = (target: Constructor, pipeline: string, role: string): void => {
  if (target.length === 0) return;
  const types = Reflect.getMetadata('design:paramtypes', target) as readonly unknown[] | undefined;
  const tokens = (Reflect.getOwnMetadata(INJECTION_TOKENS, target) as Record<number, unknown> | undefined) ?? {};
  const missing: number[] = [];
  for (let index = 0; index < target.length; index += 1) {
    if (tokens[index] === undefined && types?.[index] === undefined) missing.push(index + 1);
  }
  if (missing.length === 0) return;
  const which = missing.length === 1 ? `parameter ${missing[0]}` : `parameters ${missing.join(', ')}`;
  throw new PipelineDefinitionError(
    'MISSING_INJECTION_METADATA',
    `${role} '${target.name || '(anonymous)'}' needs constructor ${which} injected, but no decorator metadata says what to inject: ` +
      'the toolchain that compiled it (esbuild, tsx, vitest, swc without decoratorMetadata) dropped it. ' +
      'Mark each constructor parameter with @inject(Token) from tsyringe, or compile with tsc and "emitDecoratorMetadata": true.',
    { pipeline },
  );
};
