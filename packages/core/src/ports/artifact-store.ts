import { createHash } from 'node:crypto';
import type { ArtifactRef } from '../model/results';

/** What a step stores: bytes under a name, for one step of one run. */
export interface ArtifactInput {
  readonly runId: string;
  readonly step: string;
  readonly name: string;
  readonly data: Uint8Array;
}

/** Keeps artifact bytes. Content-addressed: equal bytes are stored once. */
export interface ArtifactStore {
  /** Stores the bytes and returns a reference that `get` accepts. */
  put(input: ArtifactInput): Promise<ArtifactRef>;
  /** The bytes of a stored artifact. Rejects if they are gone. */
  get(ref: ArtifactRef): Promise<Buffer>;
  /** Releases resources, if any. */
  close?(): Promise<void>;
}

/** sha256 of bytes, as hex: the content address. */
export const contentHash = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
