import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '../model/ids';
import type { ArtifactRef } from '../model/results';
import { contentHash } from '../ports/artifact-store';
import type { ArtifactInput, ArtifactStore } from '../ports/artifact-store';

/** Options of {@link FileArtifactStore}. */
export interface FileArtifactStoreOptions {
  /** Folder that holds the blobs; created when missing. */
  readonly dir: string;
}

/**
 * Artifact bytes as files, `<dir>/<first two hex>/<sha256>`: for data too large to keep in
 * memory, and shared by every run that stores the same bytes. Writes go to a temporary file
 * renamed into place, so a crash never leaves a partial blob under its content address.
 */
export class FileArtifactStore implements ArtifactStore {
  constructor(private readonly options: FileArtifactStoreOptions) {}

  async put({ runId, step, name, data }: ArtifactInput): Promise<ArtifactRef> {
    const hash = contentHash(data);
    const file = this.pathOf(hash);
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(join(this.options.dir, hash.slice(0, 2)), { recursive: true });
      const temporary = `${file}.${newId(8)}.tmp`;
      await writeFile(temporary, data);
      await rename(temporary, file);
    }
    return { id: newId(), name, step, runId, hash, size: data.byteLength };
  }

  async get(ref: ArtifactRef): Promise<Buffer> {
    return readFile(this.pathOf(ref.hash));
  }

  private pathOf(hash: string): string {
    return join(this.options.dir, hash.slice(0, 2), hash);
  }
}
