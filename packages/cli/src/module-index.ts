import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Which module each run's pipeline came from, kept next to the store's file
 * (`modules.json`), so that `pipewright resume <runId>` can load the pipeline again without
 * being told the file: the store records a pipeline's name and version, not its code.
 */
export class ModuleIndex {
  private readonly path: string;

  /** The index that belongs to the store file `storePath`. */
  constructor(storePath: string) {
    this.path = join(dirname(storePath), 'modules.json');
  }

  /** Records the module of a run. */
  remember(runId: string, file: string): void {
    const entries = this.read();
    entries[runId] = file;
    // Write then rename: a reader never sees half a file.
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(entries, null, 2)}\n`);
    renameSync(temporary, this.path);
  }

  /** The module recorded for a run, if any. */
  lookup(runId: string): string | undefined {
    return this.read()[runId];
  }

  private read(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }
}
