import { AsyncLocalStorage } from 'node:async_hooks';
import type { StepContext } from '../model/step-context';

const scope = new AsyncLocalStorage<StepContext>();

/** Runs `body` with `ctx` as the {@link currentStep} of everything it does, awaits included. */
export const runInStep = <T>(ctx: StepContext, body: () => T): T => scope.run(ctx, body);

/**
 * The context of the step whose code is running right now, in this process (an in-process
 * step body, its `await`s and what it calls), else `undefined`. What lets a tool attribute
 * output that bypasses `ctx.log` (a `console.log` in a step) to its step.
 */
export const currentStep = (): StepContext | undefined => scope.getStore();
