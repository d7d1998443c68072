import { CliError, parseParams } from '@pipewright/cli';

describe('parseParams (--param name=value)', () => {
  it('parses values as JSON when they parse, and keeps them as strings otherwise', () => {
    expect(parseParams(['rows=10', 'ratio=0.5', 'on=true', 'none=null', 'tags=["a","b"]', 'opts={"k":1}', 'quoted="10"', 'name=widgets'])).toEqual({
      rows: 10,
      ratio: 0.5,
      on: true,
      none: null,
      tags: ['a', 'b'],
      opts: { k: 1 },
      quoted: '10',
      name: 'widgets',
    });
  });

  it("keeps everything after the first '=' as the value, and an empty value as an empty string", () => {
    expect(parseParams(['query=a=b', 'empty='])).toEqual({ query: 'a=b', empty: '' });
  });

  it('accepts step parameters as step.name, the later of two equal names winning', () => {
    expect(parseParams(['train.lr=0.1', 'train.lr=0.2'])).toEqual({ 'train.lr': 0.2 });
  });

  it.each(['rows', '=10', 'a.b.c=1', 'two words=1', '.lr=1'])("rejects '%s' with a BAD_PARAM usage error", (entry) => {
    expect(() => parseParams([entry])).toThrow(CliError);
    expect(() => parseParams([entry])).toThrow(expect.objectContaining({ code: 'BAD_PARAM', message: expect.stringContaining(`Bad --param '${entry}'`) }));
  });
});
