import { StepError } from '../../errors/errors';
import { toErrorInfo } from '../error-info';

/** A user callback threw: the step fails with `CALLBACK_FAILED`, naming the callback. */
export const callbackFailed = (step: string, label: string, error: unknown): StepError =>
  new StepError('CALLBACK_FAILED', step, `${label} of step '${step}' threw: ${toErrorInfo(error).message}`, { cause: error });
