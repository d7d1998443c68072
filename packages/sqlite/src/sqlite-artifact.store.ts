import type { ArtifactInput, ArtifactRef, ArtifactStore } from '@pipewright/core';
import { FileArtifactStore } from '@pipewright/core';

/**
 * Artifact bytes as content-addressed files in a folder beside the database (core's
 * {@link FileArtifactStore}), with each stored blob's metadata recorded in the database.
 */
export class SqliteArtifactStore implements ArtifactStore {
  private readonly files: FileArtifactStore;

  /**
   * @param dir folder of the blobs, created when missing
   * @param record writes one blob's metadata; called once its bytes are safely in place
   */
  constructor(
    readonly dir: string,
    private readonly record: (ref: ArtifactRef, createdAt: number) => void,
  ) {
    this.files = new FileArtifactStore({ dir });
  }

  async put(input: ArtifactInput): Promise<ArtifactRef> {
    const ref = await this.files.put(input);
    this.record(ref, Date.now());
    return ref;
  }

  async get(ref: ArtifactRef): Promise<Buffer> {
    return this.files.get(ref);
  }
}
