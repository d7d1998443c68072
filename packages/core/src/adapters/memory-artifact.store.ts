import { newId } from '../model/ids';
import type { ArtifactRef } from '../model/results';
import { contentHash } from '../ports/artifact-store';
import type { ArtifactInput, ArtifactStore } from '../ports/artifact-store';

/** Artifact bytes in memory, by content hash. The default; lost with the process. */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly blobs = new Map<string, Buffer>();

  put({ runId, step, name, data }: ArtifactInput): Promise<ArtifactRef> {
    const hash = contentHash(data);
    if (!this.blobs.has(hash)) this.blobs.set(hash, Buffer.from(data));
    return Promise.resolve({ id: newId(), name, step, runId, hash, size: data.byteLength });
  }

  get(ref: ArtifactRef): Promise<Buffer> {
    const blob = this.blobs.get(ref.hash);
    if (blob === undefined) return Promise.reject(new Error(`Artifact '${ref.name}' of step '${ref.step}' (${ref.hash}) is not in this store.`));
    return Promise.resolve(blob);
  }
}
