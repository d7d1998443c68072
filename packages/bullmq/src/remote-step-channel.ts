import { registry } from '@pipewright/core';
import type { Constructor, SpawnOptions, StepArtifacts, StepChannel } from '@pipewright/core';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DistributedError, RemoteStepError } from './errors';
import type { JobAbort } from './job-abort';
import { BLOB_TTL_S } from './protocol';
import type { AgentMessage, ControllerReply , channelNames } from './protocol';

/** Where a remote channel sends requests and awaits their replies (the agent). */
export interface ReplyBroker {
  readonly agent: string;
  readonly client: Redis;
  readonly names: ReturnType<typeof channelNames>;
  /** Resolves with the controller's reply to `rid`. */
  awaitReply(rid: string, signal: AbortSignal): Promise<ControllerReply>;
}

type Outgoing = AgentMessage extends infer M ? (M extends AgentMessage ? Omit<M, 'agent'> : never) : never;

/**
 * The agent's side of an attempt: what `createStepContext` needs, with logs, metrics, artifacts
 * and spawns sent to the controller as job progress. Messages go out one at a time, in order;
 * {@link flush} waits for the last before the job completes, so nothing trails the result.
 */
export class RemoteStepChannel implements StepChannel, StepArtifacts {
  readonly local = undefined;
  /** The last message queued; none for most steps, which send nothing. */
  private tail: Promise<void> | undefined;

  constructor(
    private readonly job: Job,
    private readonly step: string,
    private readonly broker: ReplyBroker,
    private readonly abort: JobAbort,
  ) {}

  /** Made only if the step asks for it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get artifacts(): StepArtifacts {
    return this;
  }

  log(message: string): void {
    void this.send({ t: 'log', message: String(message) });
  }

  metric(name: string, value: number): void {
    void this.send({ t: 'metric', name: String(name), value: Number(value) });
  }

  spawn<T>(template: Constructor<T>, options?: SpawnOptions): Promise<never> {
    return this.spawnRemote(template, options);
  }

  /** Agents do not wait in queues: nothing to report. */
  waiting(): void {}

  /** The controller learns the start from BullMQ (the job's `active` event and `processedBy`). */
  started(): void {}

  /** Queues a message to the controller; a send that fails (Redis gone) does not fail the step. */
  send(message: Outgoing): Promise<void> {
    const progress = { ...message, agent: this.broker.agent } as AgentMessage;
    const previous = this.tail ?? Promise.resolve();
    const tail = previous.then(() => this.job.updateProgress(progress)).catch(() => undefined);
    this.tail = tail;
    return tail;
  }

  /** Settles once every message queued so far has reached Redis; `undefined` when none was. */
  flush(): Promise<void> | undefined {
    return this.tail;
  }

  async put(name: string, data: Uint8Array | string): Promise<void> {
    this.abort.throwIfAborted();
    const blob = randomUUID();
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await this.broker.client.set(this.broker.names.blob(blob), bytes, 'EX', BLOB_TTL_S);
    await this.request({ t: 'put', rid: randomUUID(), name: String(name), blob });
  }

  async get(name: string, fromStep?: string): Promise<Buffer> {
    const reply = await this.request({ t: 'get', rid: randomUUID(), name: String(name), ...(fromStep !== undefined ? { fromStep } : {}) });
    const key = this.broker.names.blob(reply.blob ?? '');
    const bytes = await this.broker.client.getBuffer(key);
    await this.broker.client.del(key);
    if (bytes === null) throw new DistributedError('TRANSFER_FAILED', `Artifact '${name}' for step '${this.step}' expired in transit.`);
    return bytes;
  }

  private async spawnRemote(template: Constructor, options: SpawnOptions = {}): Promise<never> {
    const entry = registry.list().find((candidate) => candidate.target === template);
    if (entry === undefined) {
      throw new DistributedError('UNKNOWN_TEMPLATE', `Step '${this.step}' spawned class '${template.name}', which is not a registered @Task or @Pipeline.`);
    }
    const reply = await this.request({
      t: 'spawn',
      rid: randomUUID(),
      template: { kind: entry.kind, name: entry.name, version: entry.version },
      options: { ...(options.name !== undefined ? { name: options.name } : {}), ...(options.params ? { params: options.params } : {}), ...(options.queue ? { queue: options.queue } : {}) },
    });
    return reply.value as never;
  }

  private async request(message: Outgoing & { rid: string }): Promise<ControllerReply & { ok: true }> {
    const reply = this.broker.awaitReply(message.rid, this.signal);
    await this.send(message);
    const answer = await reply;
    if (!answer.ok) throw new RemoteStepError(answer.error, undefined);
    return answer;
  }
}
