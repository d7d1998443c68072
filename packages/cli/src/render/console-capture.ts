import { format } from 'node:util';
import { currentStep, trackCurrentStep } from '@pipewright/core';

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Routes `console.log` (and `info`, `warn`, `error`, `debug`) through `print` while a live view
 * owns the terminal: written around the view, a line would be erased by the next frame and
 * leave frames piled up. A line written by a step's code (in this process) also goes into that
 * step's logs through `ctx.log`, and is shown prefixed with the step's name. Returns the
 * function that puts the console back.
 */
export const captureConsole = (print: (text: string) => void): (() => void) => {
  trackCurrentStep();
  const originals = METHODS.map((method) => [method, console[method]] as const);
  for (const method of METHODS) {
    console[method] = (...args: unknown[]): void => {
      const text = format(...args);
      const step = currentStep();
      if (step === undefined) {
        print(text);
        return;
      }
      step.log(text);
      print(text.split('\n').map((line) => `[${step.step}] ${line}`).join('\n'));
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
};
