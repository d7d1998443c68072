import { toDot, toMermaid } from '@pipewright/core';
import type { PipelineDefinition } from '@pipewright/core';
import { CliError } from '../errors';
import { toAscii } from './ascii-graph';

/** The formats `pipewright graph --format` accepts. */
export const GRAPH_FORMATS = ['ascii', 'mermaid', 'dot'] as const;

/** One of {@link GRAPH_FORMATS}. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** `true` for a format `pipewright graph` knows. */
export const isGraphFormat = (format: string): format is GraphFormat => (GRAPH_FORMATS as readonly string[]).includes(format);

/**
 * The pipeline's DAG as text: `ascii` for a terminal (drawn here), `mermaid` and `dot` by
 * core's renderers. Throws `CliError` (`BAD_OPTION`) for an unknown format.
 */
export const renderGraph = (definition: PipelineDefinition, format: string): string => {
  if (!isGraphFormat(format)) throw new CliError('BAD_OPTION', `Unknown graph format '${format}': use one of ${GRAPH_FORMATS.join(', ')}.`);
  const text = format === 'ascii' ? toAscii(definition) : format === 'mermaid' ? toMermaid(definition.graph) : toDot(definition.graph);
  return text.endsWith('\n') ? text : `${text}\n`;
};
