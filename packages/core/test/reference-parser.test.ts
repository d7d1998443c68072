import { collectReferences, parseTemplate, ReferenceSyntaxError } from '../src/graph/reference';

describe('parseTemplate (${…} references are data, never code)', () => {
  it('returns null for a string without references', () => {
    expect(parseTemplate('plain text, even with $ and {braces}')).toBeNull();
  });

  it('parses a whole-string reference of each kind', () => {
    expect(parseTemplate('${pipeline.rows}')).toEqual({ whole: true, parts: [{ kind: 'pipeline', source: 'pipeline.rows', param: 'rows', path: [] }] });
    expect(parseTemplate('${prep.output.items.0.name}')?.parts[0]).toEqual({ kind: 'output', source: 'prep.output.items.0.name', step: 'prep', path: ['items', '0', 'name'] });
    expect(parseTemplate('${train.artifacts.model}')?.parts[0]).toEqual({ kind: 'artifact', source: 'train.artifacts.model', step: 'train', name: 'model' });
    expect(parseTemplate('${train.id}')?.parts[0]).toEqual({ kind: 'id', source: 'train.id', step: 'train' });
  });

  it('splits text and references inside a longer string, in order', () => {
    const parsed = parseTemplate('model ${train.id} at lr=${pipeline.lr}!');
    expect(parsed?.whole).toBe(false);
    expect(parsed?.parts.map((part) => (typeof part === 'string' ? part : part.source))).toEqual(['model ', 'train.id', ' at lr=', 'pipeline.lr', '!']);
  });

  it.each([
    ['an expression', '${process.exit()}'],
    ['an unclosed reference', 'x ${pipeline.rows'],
    ['an unknown field of a step', '${prep.outputs}'],
    ['an artifact without a name', '${prep.artifacts}'],
    ['fields after an id', '${prep.id.x}'],
    ['a pipeline reference without a parameter', '${pipeline}'],
    ['an empty segment', '${prep..output}'],
  ])('throws ReferenceSyntaxError on %s', (_what, text) => {
    expect(() => parseTemplate(text)).toThrow(ReferenceSyntaxError);
  });

  it('collects references from strings nested in plain objects and arrays, not from class instances', () => {
    const found = collectReferences({ a: '${x.output}', b: ['${pipeline.p}', { c: 'n=${y.id}' }], d: new Date(0), e: 3 });
    expect(found.map((reference) => reference.source)).toEqual(['x.output', 'pipeline.p', 'y.id']);
  });
});
