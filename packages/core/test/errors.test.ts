import 'reflect-metadata';
import { EngineError, ParameterError, PipelineDefinitionError, PipewrightError, StepError } from '@pipewright/core';

type CoreModule = typeof import('@pipewright/core');

/** A second, independent copy of the package, as a second jest module registry (or a bundler) would load it. */
const loadSecondCopy = (): CoreModule => {
  let copy: CoreModule | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<CoreModule>('@pipewright/core');
  });
  if (copy === undefined) throw new Error('isolateModules did not load the package');
  return copy;
};

describe('Pipewright errors', () => {
  describe('the error classes', () => {
    it('are Errors with a stable code, a name set to the class and the message given', () => {
      const error = new PipelineDefinitionError('CYCLE', 'a cycle', { pipeline: 'p', step: 'a', cycle: ['a', 'a'] });
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(PipewrightError);
      expect(error).toBeInstanceOf(PipelineDefinitionError);
      expect(error.code).toBe('CYCLE');
      expect(error.name).toBe('PipelineDefinitionError');
      expect(error.message).toBe('a cycle');
      expect(error.pipeline).toBe('p');
      expect(error.step).toBe('a');
      expect(error.cycle).toEqual(['a', 'a']);
      expect(error.missing).toBeUndefined();
      expect(String(error)).toBe('PipelineDefinitionError: a cycle');
    });

    it('keep their context fields on ParameterError', () => {
      const error = new ParameterError('PARAMETER_TYPE', 'wrong type', {
        parameter: 'train.lr',
        step: 'train',
        declared: ['lr'],
        expected: 'number',
        actual: 'string',
      });
      expect(error.name).toBe('ParameterError');
      expect(error).toMatchObject({ code: 'PARAMETER_TYPE', parameter: 'train.lr', step: 'train', declared: ['lr'], expected: 'number', actual: 'string' });
    });

    it('name every subclass after itself', () => {
      expect(new StepError('STEP_FAILED', 's', 'm').name).toBe('StepError');
      expect(new EngineError('ENGINE_CLOSED', 'm').name).toBe('EngineError');
      expect(new PipewrightError('X', 'm').name).toBe('PipewrightError');
    });

    it('do not answer instanceof for a sibling class or for non-errors', () => {
      const parameterError = new ParameterError('UNKNOWN_PARAMETER', 'm', { parameter: 'x', declared: [] });
      expect(parameterError).not.toBeInstanceOf(PipelineDefinitionError);
      expect(parameterError).not.toBeInstanceOf(StepError);
      expect(new Error('plain')).not.toBeInstanceOf(PipewrightError);
      expect((null as unknown as object) instanceof PipewrightError).toBe(false);
      expect({ code: 'CYCLE' } instanceof PipelineDefinitionError).toBe(false);
    });
  });

  describe('instanceof across module registries', () => {
    const copy = loadSecondCopy();

    it('loads a genuinely distinct copy of the classes', () => {
      expect(copy.PipelineDefinitionError).not.toBe(PipelineDefinitionError);
      expect(copy.PipewrightError).not.toBe(PipewrightError);
    });

    it("recognises the other copy's errors as this copy's classes, and the reverse", () => {
      const foreign = new copy.PipelineDefinitionError('UNKNOWN_PARENT', 'm', { pipeline: 'p', step: 'b', missing: 'a' });
      expect(foreign).toBeInstanceOf(PipelineDefinitionError);
      expect(foreign).toBeInstanceOf(PipewrightError);
      expect(foreign).not.toBeInstanceOf(ParameterError);

      const local = new ParameterError('UNKNOWN_PARAMETER', 'm', { parameter: 'x', declared: ['y'] });
      expect(local).toBeInstanceOf(copy.ParameterError);
      expect(local).toBeInstanceOf(copy.PipewrightError);
      expect(local).not.toBeInstanceOf(copy.PipelineDefinitionError);
    });

    it("recognises errors thrown by the other copy's engine", () => {
      class Undecorated {}
      let thrown: unknown;
      try {
        new copy.Engine().start(Undecorated);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PipelineDefinitionError);
      expect(thrown).toBeInstanceOf(PipewrightError);
      expect((thrown as PipelineDefinitionError).code).toBe('NOT_A_PIPELINE');
    });
  });
});
