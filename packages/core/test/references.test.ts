import 'reflect-metadata';
import { Engine, Pipeline, PipelineDefinitionError, Step, Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

@Task({ name: 'ref-echo' })
class Echo {
  execute(ctx: StepContext): Record<string, unknown> {
    return { ...ctx.params, parents: Object.keys(ctx.parents).sort() };
  }
}

@Pipeline({ name: 'ref-values', params: { rows: 7, cfg: { depth: 3, tags: ['x', 'y'] }, flag: false } })
class Values {
  @Step()
  async prepare(ctx: StepContext): Promise<{ stats: { count: number; names: string[] }; ok: boolean }> {
    await ctx.artifacts.put('table', 'a,b\n1,2\n');
    return { stats: { count: 12, names: ['p', 'q'] }, ok: true };
  }

  @Step({
    template: Echo,
    params: {
      rows: '${pipeline.rows}',
      depth: '${pipeline.cfg.depth}',
      cfg: '${pipeline.cfg}',
      flag: '${pipeline.flag}',
      count: '${prepare.output.stats.count}',
      stats: '${prepare.output.stats}',
      whole: '${prepare.output}',
      secondName: '${prepare.output.stats.names.1}',
      table: '${prepare.artifacts.table}',
      id: '${prepare.id}',
      sentence: 'rows=${pipeline.rows}, count=${prepare.output.stats.count}, ok=${prepare.output.ok}',
      embedded: 'stats: ${prepare.output.stats}',
      nested: { list: ['${pipeline.rows}', 'n=${pipeline.cfg.depth}'], deep: { ok: '${prepare.output.ok}' } },
      literal: 'no references here: $ {pipeline.rows}',
    },
  })
  consume!: Echo;
}

/** `consume` names no parent: its references alone must make `source` one. */
@Pipeline({ name: 'ref-implied-parent' })
class ImpliedParent {
  @Step()
  async source(): Promise<{ value: number }> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { value: 1 };
  }

  @Step({ params: { got: '${source.output.value}' } })
  consume(ctx: StepContext): unknown {
    return { got: ctx.params.got, parents: ctx.parents };
  }
}

@Pipeline({ name: 'ref-missing-at-run-time', params: { cfg: { depth: 1 } } })
class MissingAtRunTime {
  @Step()
  prepare(): { stats: { count: number } } {
    return { stats: { count: 1 } };
  }

  @Step({ continueOnFail: true, params: { n: '${prepare.output.stats.missing.deeper}' } })
  missingField(ctx: StepContext): unknown {
    return ctx.params.n;
  }

  @Step({ continueOnFail: true, params: { n: 'count is ${prepare.output.nope}' } })
  missingInString(ctx: StepContext): unknown {
    return ctx.params.n;
  }

  @Step({ continueOnFail: true, params: { n: '${pipeline.cfg.width}' } })
  missingPipelineField(ctx: StepContext): unknown {
    return ctx.params.n;
  }

  @Step({ continueOnFail: true, params: { n: '${prepare.artifacts.model}' } })
  missingArtifact(ctx: StepContext): unknown {
    return ctx.params.n;
  }

  @Step({ parents: ['missingField'] })
  afterMissing(): string {
    return 'should be skipped';
  }
}

const definitionError = (run: () => unknown): PipelineDefinitionError => {
  try {
    run();
  } catch (error) {
    if (error instanceof PipelineDefinitionError) return error;
    throw error;
  }
  throw new Error('expected a PipelineDefinitionError');
};

describe('${…} references in step parameters', () => {
  const engine = new Engine();
  afterAll(() => engine.close());

  describe('resolve to the referenced value', () => {
    let result: Awaited<ReturnType<Engine['run']>>;
    let output: Record<string, unknown>;
    beforeAll(async () => {
      result = await engine.run(Values, { params: { rows: 9 } });
      output = result.steps.consume?.output as Record<string, unknown>;
    });

    it('keeping its type when the reference is the whole string', () => {
      expect(output.rows).toBe(9);
      expect(output.depth).toBe(3);
      expect(output.flag).toBe(false);
      expect(output.count).toBe(12);
      expect(output.cfg).toEqual({ depth: 3, tags: ['x', 'y'] });
      expect(output.stats).toEqual({ count: 12, names: ['p', 'q'] });
      expect(output.whole).toEqual({ stats: { count: 12, names: ['p', 'q'] }, ok: true });
    });

    it('walking into arrays by index', () => {
      expect(output.secondName).toBe('q');
    });

    it('interpolating inside a longer string, objects as JSON', () => {
      expect(output.sentence).toBe('rows=9, count=12, ok=true');
      expect(output.embedded).toBe('stats: {"count":12,"names":["p","q"]}');
    });

    it('inside nested objects and arrays of the params', () => {
      expect(output.nested).toEqual({ list: [9, 'n=3'], deep: { ok: true } });
    });

    it('leaving strings without a reference alone', () => {
      expect(output.literal).toBe('no references here: $ {pipeline.rows}');
    });

    it("giving ${step.artifacts.name} as the artifact's id", () => {
      const stored = result.steps.prepare?.artifacts.table;
      expect(stored).toBeDefined();
      expect(output.table).toBe(stored?.id);
    });

    it('giving ${step.id} as a string that identifies the step within its run', async () => {
      expect(typeof output.id).toBe('string');
      expect(output.id).toContain(result.runId);
      const again = await engine.run(Values);
      expect((again.steps.consume?.output as Record<string, unknown>).id).not.toBe(output.id);
    });
  });

  describe('make the referenced step a parent', () => {
    it('in the graph, in ctx.parents, and in the order steps run', async () => {
      const run = engine.start(ImpliedParent);
      expect(run.graph.get('consume')?.parents).toEqual(['source']);
      const result = await run.result;
      expect(result.steps.consume?.output).toEqual({ got: 1, parents: { source: { value: 1 } } });
    });

    it('so the child waits until the referenced step has ended', async () => {
      const events: string[] = [];
      const run = engine.start(ImpliedParent);
      run.events$.subscribe((event) => {
        if (event.type === 'step.started' || event.type === 'step.succeeded') events.push(`${event.step}:${event.type}`);
      });
      await run.result;
      expect(events).toEqual(['source:step.started', 'source:step.succeeded', 'consume:step.started', 'consume:step.succeeded']);
    });
  });

  describe('fail at definition time with BAD_REFERENCE, and nothing runs,', () => {
    it('when a reference names a step the pipeline does not have, naming it', () => {
      let ran = false;
      @Pipeline({ name: 'ref-unknown-step' })
      class UnknownStep {
        @Step()
        first(): number {
          ran = true;
          return 1;
        }

        @Step({ params: { n: '${ghost.output.n}' } })
        second(): number {
          ran = true;
          return 2;
        }
      }
      const error = definitionError(() => engine.start(UnknownStep));
      expect(error.code).toBe('BAD_REFERENCE');
      expect(error.step).toBe('second');
      expect(error.missing).toBe('ghost');
      expect(error.message).toContain("'ghost'");
      expect(ran).toBe(false);
    });

    it('when a reference names a pipeline parameter that is not declared, even one every object inherits', () => {
      @Pipeline({ name: 'ref-unknown-param', params: { rows: 1 } })
      class UnknownParam {
        @Step({ params: { n: '${pipeline.columns}' } })
        first(): number {
          return 1;
        }
      }
      @Pipeline({ name: 'ref-inherited-param', params: { rows: 1 } })
      class InheritedParam {
        @Step({ params: { n: '${pipeline.constructor}' } })
        first(): number {
          return 1;
        }
      }
      expect(definitionError(() => engine.start(UnknownParam))).toMatchObject({ code: 'BAD_REFERENCE', missing: 'columns' });
      expect(definitionError(() => engine.start(InheritedParam))).toMatchObject({ code: 'BAD_REFERENCE', missing: 'constructor' });
    });

    it('when the text is code rather than a reference: it is parsed, never evaluated', () => {
      const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
      try {
        let ran = false;
        @Pipeline({ name: 'ref-code' })
        class Code {
          @Step({ params: { n: '${process.exit()}' } })
          first(): number {
            ran = true;
            return 1;
          }
        }
        const error = definitionError(() => engine.start(Code));
        expect(error.code).toBe('BAD_REFERENCE');
        expect(error.message).toContain('process.exit()');
        expect(exit).not.toHaveBeenCalled();
        expect(ran).toBe(false);
      } finally {
        exit.mockRestore();
      }
    });

    it.each([
      ['an unclosed reference', 'rows: ${pipeline.rows'],
      ['a step field other than output, artifacts or id', '${first.params}'],
      ['an artifact reference without a name', '${first.artifacts}'],
      ['an expression', '${1 + 1}'],
      ['a reference to the step itself', '${second.output}'],
    ])('for %s', (_label, text) => {
      @Pipeline({ name: `ref-bad-${text}`, params: { rows: 1 } })
      class Bad {
        @Step()
        first(): number {
          return 1;
        }

        @Step({ params: { n: text } })
        second(): number {
          return 2;
        }
      }
      expect(definitionError(() => engine.start(Bad))).toMatchObject({ code: 'BAD_REFERENCE', step: 'second' });
    });
  });

  describe('that cannot be resolved at run time', () => {
    let result: Awaited<ReturnType<Engine['run']>>;
    beforeAll(async () => {
      result = await engine.run(MissingAtRunTime);
    });

    it('fail that step with REFERENCE_NOT_FOUND naming the missing path, before it starts', () => {
      const step = result.steps.missingField;
      expect(step?.status).toBe('failed');
      expect(step?.attempts).toBe(0);
      expect(step?.error?.code).toBe('REFERENCE_NOT_FOUND');
      expect(step?.error?.message).toContain('${prepare.output.stats.missing.deeper}');
      expect(step?.error?.message).toContain('stats.missing.deeper');
    });

    it('fail it the same way inside a longer string, for a pipeline parameter field and for an artifact', () => {
      expect(result.steps.missingInString?.error).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
      expect(result.steps.missingInString?.error?.message).toContain("'nope'");
      expect(result.steps.missingPipelineField?.error).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
      expect(result.steps.missingPipelineField?.error?.message).toContain('cfg.width');
      expect(result.steps.missingArtifact?.error).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
      expect(result.steps.missingArtifact?.error?.message).toContain("'model'");
    });

    it("skip the failed step's descendants like any other failure", () => {
      expect(result.steps.afterMissing?.status).toBe('skipped');
    });
  });
});
