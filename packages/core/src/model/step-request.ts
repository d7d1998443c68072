import type { Params } from './options';

/**
 * One attempt of one step, as data: everything an executor needs, nothing that is a closure.
 * The same request goes to the in-process executor or, serialized, to an agent.
 */
export interface StepRequest {
  readonly runId: string;
  readonly pipeline: { readonly name: string; readonly version: string; readonly params: Readonly<Params> };
  readonly step: string;
  /** The template the step clones, by registry name and version. */
  readonly template: { readonly kind: 'task' | 'pipeline'; readonly name: string; readonly version: string } | undefined;
  readonly params: Readonly<Params>;
  /** Parents' outputs by step name. */
  readonly parents: Readonly<Record<string, unknown>>;
  /** From 1. */
  readonly attempt: number;
  readonly queue: string;
}
