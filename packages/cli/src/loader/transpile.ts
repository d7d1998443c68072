import type * as TypeScript from 'typescript';

/** A syntax error in a TypeScript file, located for the user. */
export interface SyntaxProblem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly message: string;
}

/**
 * Thrown by {@link transpile} when a file does not parse: the loader cannot guess what was
 * meant, and node's own `SyntaxError` would point into generated JavaScript.
 */
export class TypeScriptSyntaxError extends SyntaxError {
  readonly problem: SyntaxProblem;

  constructor(problem: SyntaxProblem) {
    super(`${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
    this.name = 'TypeScriptSyntaxError';
    this.problem = problem;
  }
}

let compiler: typeof TypeScript | undefined;

/**
 * The CLI's own TypeScript 5.9, never the project's: TypeScript 7 has no JavaScript API, and
 * the project's version and tsconfig must not decide whether decorator metadata is emitted.
 * Loaded on the first `.ts` file, so a `.js` pipeline never pays for the compiler.
 */
const typescript = (): typeof TypeScript => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI's own TypeScript, loaded only when a .ts file is
  compiler ??= require('typescript') as typeof TypeScript;
  return compiler;
};

/**
 * Turns one TypeScript file into CommonJS that node can run: legacy decorators with
 * `design:*` metadata (what tsyringe's constructor injection reads), whatever the file's
 * flavour (`.ts`, `.mts`, `.cts`) or the package's `"type"`. Syntax only, no type checking:
 * that is the project's `tsc`'s job, and a run should not wait for it.
 *
 * Throws {@link TypeScriptSyntaxError} on the first syntax error.
 */
export const transpile = (source: string, file: string): string => {
  const ts = typescript();
  const output = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      useDefineForClassFields: false,
      jsx: ts.JsxEmit.React,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  const error = output.diagnostics?.find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (error !== undefined) {
    const message = ts.flattenDiagnosticMessageText(error.messageText, '\n');
    const at = error.file !== undefined && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : undefined;
    throw new TypeScriptSyntaxError({ file, line: (at?.line ?? 0) + 1, column: (at?.character ?? 0) + 1, message });
  }
  return output.outputText;
};
