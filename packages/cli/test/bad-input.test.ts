import { fixture, linesOf, runCli, workDir } from './support/cli';

/** A usage error: one line on stderr, nothing on stdout, exit 2, no stack trace. */
const expectUsageError = (outcome: { code: number | null; stdout: string; stderr: string }, message: RegExp): void => {
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).toBe('');
  expect(linesOf(outcome.stderr)).toHaveLength(1);
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
};

// Every test spawns the real binary (a TypeScript start each); a busy machine makes that slow.
jest.setTimeout(60_000);

describe('pipewright on bad input', () => {
  const dir = workDir();
  afterAll(() => dir.remove());

  it('names a missing file and says what to give instead', async () => {
    expectUsageError(
      await runCli(['run', 'no/such/pipeline.ts'], dir.path),
      /^pipewright: File not found: no\/such\/pipeline\.ts\. Give the path of a \.ts or \.js file that exports a @Pipeline class\.$/m,
    );
  });

  it('says when a file exports no pipeline', async () => {
    expectUsageError(await runCli(['run', fixture('no-pipeline.ts')], dir.path), /no-pipeline\.ts exports no pipeline: export a class decorated with @Pipeline/);
  });

  it('asks for a name when a file exports several pipelines, and lists them', async () => {
    expectUsageError(
      await runCli(['run', fixture('slow.ts')], dir.path),
      /exports several pipelines; name the one to use after the file: SlowPipeline \(slow@0\.0\.0\), StubbornPipeline \(stubborn@0\.0\.0\)\.$/m,
    );
  });

  it('lists the pipelines found when the name is unknown', async () => {
    expectUsageError(
      await runCli(['graph', fixture('slow.ts'), 'Nope'], dir.path),
      /exports no pipeline named 'Nope'; it exports: SlowPipeline \(slow@0\.0\.0\), StubbornPipeline \(stubborn@0\.0\.0\)\.$/m,
    );
  });

  it('rejects --param without name=value', async () => {
    expectUsageError(
      await runCli(['run', fixture('linear.ts'), '--memory', '--param', 'count'], dir.path),
      /Bad --param 'count': write it as name=value or step\.name=value/,
    );
  });

  it('names an unknown parameter and the declared ones (core ParameterError)', async () => {
    expectUsageError(
      await runCli(['run', fixture('linear.ts'), '--memory', '--param', 'rows=10'], dir.path),
      /^pipewright: Pipeline 'linear' has no parameter 'rows'\. Declared: count, label\.$/m,
    );
  });

  it('names an unknown step parameter', async () => {
    expectUsageError(await runCli(['run', fixture('linear.ts'), '--memory', '-p', 'double.speed=1'], dir.path), /Step 'double' has no parameter 'speed'/);
  });

  it('refuses a parameter of the wrong type', async () => {
    expectUsageError(await runCli(['run', fixture('linear.ts'), '--memory', '-p', 'count=many'], dir.path), /Parameter 'count' must be number/);
  });

  it('reports an invalid pipeline definition (a cycle) without running anything', async () => {
    expectUsageError(await runCli(['run', fixture('cycle.ts'), '--memory'], dir.path), /^pipewright: Pipeline 'cycle' has a cycle: a → b → c → a\.$/m);
  });

  it('says an unknown runId is unknown and how to list runs', async () => {
    expectUsageError(await runCli(['runs', 'show', 'no-such-run'], dir.path), /^pipewright: No run 'no-such-run' in the store; list the stored runs with: pipewright runs$/m);
  });

  it('rejects unknown options and commands the way commander words them', async () => {
    expectUsageError(await runCli(['run', fixture('linear.ts'), '--fast'], dir.path), /unknown option '--fast'/);
    expectUsageError(await runCli(['runs', '--limit', 'ten'], dir.path), /Bad --limit 'ten'/);
  });

  it('prints the stack trace under --verbose', async () => {
    const { code, stderr } = await runCli(['run', fixture('linear.ts'), '--memory', '--param', 'rows=1', '--verbose'], dir.path);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^pipewright: Pipeline 'linear' has no parameter 'rows'/);
    expect(stderr).toMatch(/^ParameterError: .*\n\s+at /m);
  });
});
