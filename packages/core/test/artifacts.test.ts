import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, FileArtifactStore, MemoryStore, Pipeline, Step, Task } from '@pipewright/core';
import type { StepContext } from '@pipewright/core';

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

const WEIGHTS = Uint8Array.from([0, 1, 2, 250, 255]);

@Task({ name: 'art-reader', params: { name: 'model' } })
class Reader {
  async execute(ctx: StepContext<{ name: string }>): Promise<string> {
    return (await ctx.artifacts.get(ctx.params.name)).toString('utf8');
  }
}

@Pipeline({ name: 'art-flow' })
class Flow {
  @Step()
  async produce(ctx: StepContext): Promise<string> {
    await ctx.artifacts.put('model', WEIGHTS);
    await ctx.artifacts.put('notes', 'héllo notes');
    return 'ok';
  }

  @Step()
  async other(ctx: StepContext): Promise<void> {
    await ctx.artifacts.put('notes', 'notes of other');
  }

  @Step({ parents: ['produce'] })
  async fromParent(ctx: StepContext): Promise<{ model: number[]; notes: string }> {
    const model = await ctx.artifacts.get('model');
    const notes = await ctx.artifacts.get('notes');
    await ctx.artifacts.put('derived', 'derived from produce');
    return { model: [...model], notes: notes.toString('utf8') };
  }

  @Step({ parents: ['fromParent', 'other'] })
  async named(ctx: StepContext): Promise<Record<string, string>> {
    // Not a parent: only reachable by name.
    const grand = await ctx.artifacts.get('notes', 'produce');
    // Two parents: 'other' has notes, 'fromParent' has none, so the one that has it answers.
    const fromParents = await ctx.artifacts.get('notes');
    await ctx.artifacts.put('mine', 'v1');
    await ctx.artifacts.put('mine', 'v2');
    const own = await ctx.artifacts.get('mine');
    const ownByName = await ctx.artifacts.get('mine', 'named');
    return { grand: grand.toString(), fromParents: fromParents.toString(), own: own.toString(), ownByName: ownByName.toString() };
  }
}

@Pipeline({ name: 'art-template-reader' })
class TemplateReader {
  @Step()
  async write(ctx: StepContext): Promise<void> {
    await ctx.artifacts.put('model', 'weights in a template');
  }

  @Step({ parents: ['write'], template: Reader })
  read!: Reader;
}

@Pipeline({ name: 'art-missing' })
class Missing {
  @Step()
  async produce(ctx: StepContext): Promise<void> {
    await ctx.artifacts.put('model', 'x');
  }

  @Step()
  unrelated(): string {
    return 'no artifacts';
  }

  @Step({ parents: ['produce'], continueOnFail: true })
  async wrongName(ctx: StepContext): Promise<Buffer> {
    return ctx.artifacts.get('weights');
  }

  @Step({ parents: ['produce', 'unrelated'], continueOnFail: true })
  async wrongStep(ctx: StepContext): Promise<Buffer> {
    return ctx.artifacts.get('model', 'unrelated');
  }

  @Step({ continueOnFail: true })
  async unknownStep(ctx: StepContext): Promise<Buffer> {
    return ctx.artifacts.get('model', 'nowhere');
  }

  @Step({ parents: ['wrongName'] })
  afterWrongName(): string {
    return 'skipped';
  }

  @Step({ parents: ['produce'] })
  async caught(ctx: StepContext): Promise<string> {
    try {
      await ctx.artifacts.get('absent');
      return 'found';
    } catch (error) {
      return (error as { code?: string }).code ?? 'no code';
    }
  }
}

@Pipeline({ name: 'art-same-bytes' })
class SameBytes {
  @Step()
  async a(ctx: StepContext): Promise<void> {
    await ctx.artifacts.put('data', 'identical bytes');
  }

  @Step()
  async b(ctx: StepContext): Promise<void> {
    await ctx.artifacts.put('copy', Buffer.from('identical bytes'));
    await ctx.artifacts.put('different', 'other bytes');
  }

  @Step({ parents: ['a', 'b'] })
  async read(ctx: StepContext): Promise<string[]> {
    return [(await ctx.artifacts.get('data')).toString(), (await ctx.artifacts.get('copy')).toString(), (await ctx.artifacts.get('different')).toString()];
  }
}

describe('artifacts', () => {
  describe('in the default (memory) store', () => {
    const engine = new Engine();
    afterAll(() => engine.close());
    let result: Awaited<ReturnType<Engine['run']>>;
    beforeAll(async () => {
      result = await engine.run(Flow);
    });

    it('are stored from bytes or strings (as UTF-8) and read back by a child from its parent by default', () => {
      expect(result.status).toBe('succeeded');
      expect(result.steps.fromParent?.output).toEqual({ model: [0, 1, 2, 250, 255], notes: 'héllo notes' });
    });

    it('are read from a named step, from the parent that has one, and from the step itself', () => {
      expect(result.steps.named?.output).toEqual({ grand: 'héllo notes', fromParents: 'notes of other', own: 'v2', ownByName: 'v2' });
    });

    it('are listed in the step result with a nanoid id, the sha256 of their content, their size, step and run', () => {
      const model = result.steps.produce?.artifacts.model;
      expect(model).toEqual({ id: expect.stringMatching(/^[\w-]{21}$/), name: 'model', step: 'produce', runId: result.runId, hash: sha256(WEIGHTS), size: 5 });
      expect(result.steps.produce?.artifacts.notes?.size).toBe(Buffer.byteLength('héllo notes'));
      expect(Object.keys(result.steps.fromParent?.artifacts ?? {})).toEqual(['derived']);
      expect(result.steps.named?.artifacts.mine?.hash).toBe(sha256('v2'));
      expect(result.steps.produce?.artifacts.model?.id).not.toBe(result.steps.produce?.artifacts.notes?.id);
    });

    it('reach a template step from its parent', async () => {
      const reader = await engine.run(TemplateReader);
      expect(reader.steps.read?.output).toBe('weights in a template');
    });
  });

  describe('that cannot be found', () => {
    const engine = new Engine();
    afterAll(() => engine.close());
    let result: Awaited<ReturnType<Engine['run']>>;
    beforeAll(async () => {
      result = await engine.run(Missing);
    });

    it('fail the step with ARTIFACT_NOT_FOUND naming the artifact and where it was looked for', () => {
      const wrongName = result.steps.wrongName;
      expect(wrongName?.status).toBe('failed');
      expect(wrongName?.error?.code).toBe('ARTIFACT_NOT_FOUND');
      expect(wrongName?.error?.message).toContain("'weights'");
      expect(wrongName?.error?.message).toContain('produce');
    });

    it('fail it the same way when the named step stored none, or does not exist', () => {
      expect(result.steps.wrongStep?.error).toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
      expect(result.steps.wrongStep?.error?.message).toContain("'unrelated'");
      expect(result.steps.unknownStep?.error).toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
      expect(result.steps.unknownStep?.error?.message).toContain("'nowhere'");
    });

    it('skip the descendants of the step that failed on it', () => {
      expect(result.steps.afterWrongName?.status).toBe('skipped');
    });

    it('can be caught by the step, which then carries on', () => {
      expect(result.steps.caught?.output).toBe('ARTIFACT_NOT_FOUND');
      expect(result.steps.caught?.status).toBe('succeeded');
    });
  });

  describe('in a FileArtifactStore', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pipewright-artifacts-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    const blobsIn = async (root: string): Promise<string[]> => {
      const files: string[] = [];
      for (const prefix of await readdir(root)) for (const file of await readdir(join(root, prefix))) files.push(join(prefix, file));
      return files.sort();
    };

    it('are files named by the sha256 of their content, under a folder of its first two hex digits', async () => {
      const engine = new Engine({ store: new MemoryStore({ artifacts: new FileArtifactStore({ dir }) }) });
      const result = await engine.run(Flow);
      await engine.close();
      expect(result.status).toBe('succeeded');
      const hash = sha256(WEIGHTS);
      expect(result.steps.produce?.artifacts.model?.hash).toBe(hash);
      expect([...(await readFile(join(dir, hash.slice(0, 2), hash)))]).toEqual([0, 1, 2, 250, 255]);
      expect(result.steps.fromParent?.output).toEqual({ model: [0, 1, 2, 250, 255], notes: 'héllo notes' });
      expect(result.steps.named?.output).toEqual({ grand: 'héllo notes', fromParents: 'notes of other', own: 'v2', ownByName: 'v2' });
    });

    it('store the same bytes once, whichever step or run puts them, and leave no temporary files', async () => {
      const engine = new Engine({ store: new MemoryStore({ artifacts: new FileArtifactStore({ dir }) }) });
      const first = await engine.run(SameBytes);
      const second = await engine.run(SameBytes);
      await engine.close();
      expect(first.steps.read?.output).toEqual(['identical bytes', 'identical bytes', 'other bytes']);
      expect(second.status).toBe('succeeded');
      const same = sha256('identical bytes');
      const other = sha256('other bytes');
      expect(await blobsIn(dir)).toEqual([join(same.slice(0, 2), same), join(other.slice(0, 2), other)].sort());
      // One blob, but every put still gets its own reference.
      expect(first.steps.a?.artifacts.data?.id).not.toBe(first.steps.b?.artifacts.copy?.id);
      expect(first.steps.a?.artifacts.data?.hash).toBe(first.steps.b?.artifacts.copy?.hash);
    });

    it('create the folder when it does not exist yet', async () => {
      const nested = join(dir, 'not', 'yet');
      const engine = new Engine({ store: new MemoryStore({ artifacts: new FileArtifactStore({ dir: nested }) }) });
      const result = await engine.run(SameBytes);
      await engine.close();
      expect(result.status).toBe('succeeded');
      expect(await blobsIn(nested)).toHaveLength(2);
    });

    it('reject a read whose blob has gone from disk', async () => {
      const store = new FileArtifactStore({ dir });
      const ref = await store.put({ runId: 'r', step: 's', name: 'n', data: Buffer.from('soon gone') });
      await rm(join(dir, ref.hash.slice(0, 2)), { recursive: true });
      await expect(store.get(ref)).rejects.toThrow();
    });
  });
});
