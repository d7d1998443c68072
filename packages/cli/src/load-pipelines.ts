import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { PipelineGraph, PipewrightError, registry, scanPipeline } from '@pipewright/core';
import type { PipelineDefinition, PipelineSource } from '@pipewright/core';
import { CliError } from './errors';
import { registerTypeScript, TYPESCRIPT_EXTENSIONS } from './loader/register';
import { TypeScriptSyntaxError } from './loader/transpile';

/** A pipeline a module exports: a `@Pipeline` class or a `definePipeline(...).build()` definition. */
export interface ExportedPipeline {
  /** The export's name (`default` for a default export). */
  readonly exportName: string;
  /** The pipeline's own name, from `@Pipeline({ name })` or the builder. */
  readonly name: string;
  readonly version: string;
  /** What the engine runs. */
  readonly source: PipelineSource;
}

/** The pipeline chosen to run or draw, with its validated definition. */
export interface LoadedPipeline extends ExportedPipeline {
  /** Absolute path of the module it came from. */
  readonly file: string;
  readonly definition: PipelineDefinition;
}

const TYPESCRIPT = new Set(TYPESCRIPT_EXTENSIONS);

/**
 * Loads a `.ts` or `.js` module and returns the pipelines it exports, in export order.
 * Throws `CliError` (`FILE_NOT_FOUND`, `SYNTAX_ERROR`, `LOAD_FAILED`); a `PipewrightError` thrown while the
 * module's classes are declared passes through unchanged.
 */
export const loadModule = (file: string): { readonly file: string; readonly pipelines: ExportedPipeline[] } => {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new CliError('FILE_NOT_FOUND', `File not found: ${file}. Give the path of a .ts or .js file that exports a @Pipeline class.`);
  }
  if (TYPESCRIPT.has(extname(path))) registerTypeScript();
  let exports: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's pipeline file, by path, at run time
    exports = require(path) as unknown;
  } catch (error) {
    if (error instanceof PipewrightError) throw error;
    if (error instanceof TypeScriptSyntaxError) {
      const { line, column, message } = error.problem;
      throw new CliError('SYNTAX_ERROR', `Syntax error in ${error.problem.file}:${line}:${column}: ${message}`, { cause: error });
    }
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError('LOAD_FAILED', `Could not load ${file}: ${reason}`, { cause: error });
  }
  return { file: path, pipelines: pipelinesIn(exports) };
};

const pipelinesIn = (exports: unknown): ExportedPipeline[] => {
  if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return [];
  const registered = registry.list('pipeline');
  const found: ExportedPipeline[] = [];
  const seen = new Set<unknown>();
  for (const [exportName, value] of Object.entries(exports)) {
    if (seen.has(value)) continue;
    const entry = registered.find((candidate) => candidate.target === value);
    if (entry !== undefined) {
      seen.add(value);
      found.push({ exportName, name: entry.name, version: entry.version, source: entry.target });
    } else if (isDefinition(value)) {
      seen.add(value);
      found.push({ exportName, name: value.name, version: value.version, source: value });
    }
  }
  return found;
};

const isDefinition = (value: unknown): value is PipelineDefinition =>
  typeof value === 'object' && value !== null && (value as { graph?: unknown }).graph instanceof PipelineGraph;

/** `MlPipeline (ml@1.0.0)`: how the CLI names an exported pipeline in messages. */
export const describeExport = (pipeline: ExportedPipeline): string => `${pipeline.exportName} (${pipeline.name}@${pipeline.version})`;

/**
 * Loads `file` and picks the pipeline to use: the only one it exports, or the one `name`
 * designates (its export name or its pipeline name). Throws `CliError` (`NO_PIPELINE`,
 * `PIPELINE_NAME_REQUIRED`, `UNKNOWN_PIPELINE`) or the scanner's `PipelineDefinitionError`.
 */
export const loadPipeline = (file: string, name?: string): LoadedPipeline => {
  const module = loadModule(file);
  const { pipelines } = module;
  if (pipelines.length === 0) {
    throw new CliError('NO_PIPELINE', `${file} exports no pipeline: export a class decorated with @Pipeline({ name }).`);
  }
  const listed = pipelines.map(describeExport).join(', ');
  let chosen: ExportedPipeline | undefined;
  if (name === undefined) {
    if (pipelines.length > 1) {
      throw new CliError('PIPELINE_NAME_REQUIRED', `${file} exports several pipelines; name the one to use after the file: ${listed}.`);
    }
    chosen = pipelines[0];
  } else {
    chosen = pipelines.find((pipeline) => pipeline.exportName === name) ?? pipelines.find((pipeline) => pipeline.name === name);
    if (chosen === undefined) {
      throw new CliError('UNKNOWN_PIPELINE', `${file} exports no pipeline named '${name}'; it exports: ${listed}.`);
    }
  }
  const pipeline = chosen as ExportedPipeline;
  const definition = typeof pipeline.source === 'function' ? scanPipeline(pipeline.source) : pipeline.source;
  return { ...pipeline, file: module.file, definition };
};
