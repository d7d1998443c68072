import 'reflect-metadata';
import { Engine, ParameterError } from '@pipewright/core';
import { main } from '../pipeline-from-tasks/main';
import { PipelineFromTasks } from '../pipeline-from-tasks/pipeline';
import type { ProcessDatasetOutput } from '../pipeline-from-tasks/process-dataset.task';
import type { TrainModelOutput } from '../pipeline-from-tasks/train-model.task';

describe('the "pipeline from tasks" example (ClearML pipeline_from_tasks.py)', () => {
  let lines: string[];
  let result: Awaited<ReturnType<typeof main>>;
  beforeAll(async () => {
    lines = [];
    result = await main({ print: (line) => lines.push(line) });
  });

  it('runs dataset creation → preprocessing → training to success', () => {
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.steps)).toEqual(['stage_data', 'stage_process', 'stage_train']);
    expect(lines.at(-1)).toMatch(/^run succeeded/);
  });

  it('creates the data set from the pipeline parameters and stores it as an artifact', () => {
    expect(result.steps.stage_data?.output).toMatchObject({ rows: 150 });
    expect(result.steps.stage_data?.artifacts.dataset?.size).toBeGreaterThan(150 * 20);
  });

  it("overrides the template's test_size from the step and passes the dataset artifact's id by reference", () => {
    const output = result.steps.stage_process?.output as ProcessDatasetOutput;
    expect(output).toMatchObject({ train: 112, test: 38 });
    expect(output.datasetArtifact).toBe(result.steps.stage_data?.artifacts.dataset?.id);
    expect(Object.keys(result.steps.stage_process?.artifacts ?? {}).sort()).toEqual(['scaler', 'test', 'train']);
  });

  it("applies the run's override addressed to the training step and passes it the processing step's id", () => {
    const output = result.steps.stage_train?.output as TrainModelOutput;
    expect(output.epochs).toBe(200);
    expect(output.datasetTaskId).toContain(result.runId);
    expect(output.datasetTaskId).toContain('stage_process');
  });

  it('trains a model that classifies the held-out flowers well, reporting metrics and storing the model', () => {
    const output = result.steps.stage_train?.output as TrainModelOutput;
    expect(output.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.steps.stage_train?.metrics.accuracy).toBe(output.accuracy);
    expect(result.steps.stage_train?.metrics.loss).toBeLessThan(0.5);
    expect(result.steps.stage_train?.artifacts.model).toBeDefined();
  });

  it('runs the pre- and post-execute callbacks of the processing step', () => {
    const messages = result.steps.stage_process?.logs.map((entry) => entry.message) ?? [];
    expect(messages[0]).toMatch(/^Cloning task for step 'stage_process' with params .*"test_size":0\.25/);
    expect(messages.at(-1)).toBe("Completed step 'stage_process': succeeded after 1 attempt(s)");
  });

  describe('when given bad parameters', () => {
    const engine = new Engine();
    afterAll(() => engine.close());

    it('fails the processing step on an impossible test_size and skips training', async () => {
      const bad = await engine.run(PipelineFromTasks, { params: { 'stage_process.test_size': 1.5 } });
      expect(bad.status).toBe('failed');
      expect(bad.steps.stage_process?.error).toMatchObject({ name: 'RangeError', message: 'test_size must be between 0 and 1, got 1.5' });
      expect(bad.steps.stage_train?.status).toBe('skipped');
    });

    it('refuses a parameter the training template does not declare, before anything runs', async () => {
      await expect(engine.run(PipelineFromTasks, { params: { 'stage_train.momentum': 0.9 } })).rejects.toBeInstanceOf(ParameterError);
    });
  });
});
