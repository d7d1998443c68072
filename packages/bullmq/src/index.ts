/** @pipewright/bullmq: distributed executor and agents on BullMQ + Redis. */
export { BullMQExecutor } from './bullmq-executor';
export type { BullMQExecutorOptions } from './bullmq-executor';
export { Agent } from './agent';
export type { AgentOptions } from './agent';
export type { RedisConnection } from './connection';
export { DistributedError, RemoteStepError } from './errors';
export type { DistributedErrorCode } from './errors';
