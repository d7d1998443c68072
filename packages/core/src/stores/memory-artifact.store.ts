import { newId } from '../engine/ids';
import type { ArtifactRef } from '../engine/results';
import { contentHash } from './artifact-store';
import type { ArtifactInput, ArtifactStore } from './artifact-store';

/** Artifact bytes in memory, by content hash. The default; lost with the process. */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly blobs = new Map<string, Buffer>();

  async put({ runId, step, name, data }: ArtifactInput): Promise<ArtifactRef> {
    const hash = contentHash(data);
    if (!this.blobs.has(hash)) this.blobs.set(hash, Buffer.from(data));
    return { id: newId(), name, step, runId, hash, size: data.byteLength };
  }

  async get(ref: ArtifactRef): Promise<Buffer> {
    const blob = this.blobs.get(ref.hash);
    if (blob === undefined) throw new Error(`Artifact '${ref.name}' of step '${ref.step}' (${ref.hash}) is not in this store.`);
    return blob;
  }
}
