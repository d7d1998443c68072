import { registry } from '@pipewright/core';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DistributedError } from './errors';
import type { PendingJob } from './pending-job';
import { reportStart } from './pending-job';
import { BLOB_TTL_S, toErrorInfo } from './protocol';
import type { AgentMessage, channelNames, ControllerReply } from './protocol';

/** What the controller needs to answer an agent. */
export interface ReplyHost {
  /** The executor's command client: blobs and replies. */
  readonly client: Redis;
  readonly names: ReturnType<typeof channelNames>;
}

/**
 * The controller's side of what an agent sends while a step runs (job progress): logs and
 * metrics go to the step's channel; artifact transfers and spawns are done here and answered on
 * the agent's own channel.
 */
export const handleAgentMessage = (host: ReplyHost, job: PendingJob, message: AgentMessage): void => {
  const { channel, request } = job;
  const { client, names } = host;
  // Whatever an agent sends names it, and follows its start.
  reportStart(job, message.agent);
  switch (message.t) {
    case 'started': // sent by agents before the start was looked up
      return;
    case 'log':
      channel.log(message.message, message.agent);
      return;
    case 'metric':
      channel.metric(message.name, message.value, message.agent);
      return;
    case 'error':
      job.error = message;
      return;
    case 'put':
      void reply(host, message.agent, message.rid, async () => {
        const key = names.blob(message.blob);
        const bytes = await client.getBuffer(key);
        await client.del(key);
        if (bytes === null) throw new DistributedError('TRANSFER_FAILED', `Artifact '${message.name}' of step '${request.step}' expired in transit.`);
        await channel.artifacts.put(message.name, bytes);
        return {};
      });
      return;
    case 'get':
      void reply(host, message.agent, message.rid, async () => {
        const bytes = await channel.artifacts.get(message.name, message.fromStep);
        const blob = randomUUID();
        await client.set(names.blob(blob), bytes, 'EX', BLOB_TTL_S);
        return { blob };
      });
      return;
    case 'spawn':
      void reply(host, message.agent, message.rid, async () => {
        const { kind, name, version } = message.template;
        const template = registry.find(kind, name, version);
        if (template === undefined) {
          throw new DistributedError('UNKNOWN_TEMPLATE', `Step '${request.step}' spawned ${kind} '${name}@${version}', which the controller has not registered.`);
        }
        return { value: await channel.spawn(template, message.options) };
      });
      return;
  }
};

const reply = async (host: ReplyHost, agent: string, rid: string, work: () => Promise<{ blob?: string; value?: unknown }>): Promise<void> => {
  let answer: ControllerReply;
  try {
    answer = { t: 'reply', rid, ok: true, ...(await work()) };
  } catch (error) {
    answer = { t: 'reply', rid, ok: false, error: toErrorInfo(error) };
  }
  await host.client.publish(host.names.agent(agent), JSON.stringify(answer)).catch(() => undefined);
};
