import * as core from '@pipewright/core';
import type { PipelineDefinition } from '@pipewright/core';
import { CliError } from '../errors';
import { toAscii } from './ascii-graph';

/** The formats `pipewright graph --format` accepts. */
export const GRAPH_FORMATS = ['ascii', 'mermaid', 'dot'] as const;

/** One of {@link GRAPH_FORMATS}. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

type Renderer = (definition: PipelineDefinition) => string;

/**
 * Core's renderer of that name, looked up at run time: Mermaid and DOT belong to
 * `@pipewright/core` (`toMermaid`, `toDot`), and a core without them leaves the CLI usable.
 */
const coreRenderer = (name: 'toMermaid' | 'toDot'): Renderer | undefined => {
  const exported = (core as unknown as Record<string, unknown>)[name];
  return typeof exported === 'function' ? (exported as Renderer) : undefined;
};

/**
 * The pipeline's DAG in the given format. Throws `CliError` (`BAD_OPTION` for an unknown
 * format, `FORMAT_UNAVAILABLE` when core does not provide the renderer).
 */
export const renderGraph = (definition: PipelineDefinition, format: string): string => {
  if (format === 'ascii') return toAscii(definition);
  if (format !== 'mermaid' && format !== 'dot') {
    throw new CliError('BAD_OPTION', `Unknown graph format '${format}': use one of ${GRAPH_FORMATS.join(', ')}.`);
  }
  const name = format === 'mermaid' ? 'toMermaid' : 'toDot';
  const render = coreRenderer(name);
  if (render === undefined) {
    throw new CliError('FORMAT_UNAVAILABLE', `This @pipewright/core does not provide ${name}; use --format ascii.`);
  }
  const text = render(definition);
  return text.endsWith('\n') ? text : `${text}\n`;
};
