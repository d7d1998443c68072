/**
 * @pipewright/cli: the `pipewright` command (`run`, `graph`, `runs`, `resume`, `agent`), and the pieces
 * it is made of for programs that want the same behaviour.
 */
export { main } from './main';
export { CliError } from './errors';
export type { CliErrorCode } from './errors';
export { ExitCode, exitCodeOf } from './exit-codes';
export type { ExitCodeValue } from './exit-codes';
export { parseParams } from './parse-params';
export { loadModule, loadPipeline } from './load-pipelines';
export type { ExportedPipeline, LoadedPipeline } from './load-pipelines';
export { toAscii } from './render/ascii-graph';
export { GRAPH_FORMATS, isGraphFormat, renderGraph } from './render/graph-formats';
export type { GraphFormat } from './render/graph-formats';
export { DEFAULT_REDIS, describeRedis, parseRedisAddress } from './redis-address';
export type { ServedSchedule } from './commands/serve-command';
