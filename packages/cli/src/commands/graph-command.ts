import { loadPipeline } from '../load-pipelines';
import { CliError } from '../errors';
import { GRAPH_FORMATS, isGraphFormat, renderGraph } from '../render/graph-formats';
import type { Terminal } from './drive-run';

/** Options of `pipewright graph`. */
export interface GraphCommandOptions {
  /** `ascii` (default), `mermaid` or `dot`. */
  readonly format?: string;
}

/** `pipewright graph <file> [pipeline]`: prints the pipeline's DAG. */
export const graphCommand = (file: string, pipelineName: string | undefined, options: GraphCommandOptions, terminal: Terminal): void => {
  const format = options.format ?? 'ascii';
  // Checked before loading the file: a typo in the format should not cost a compile.
  if (!isGraphFormat(format)) {
    throw new CliError('BAD_OPTION', `Unknown graph format '${format}': use one of ${GRAPH_FORMATS.join(', ')}.`);
  }
  const pipeline = loadPipeline(file, pipelineName);
  terminal.stdout.write(renderGraph(pipeline.definition, format));
};
