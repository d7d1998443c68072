import type { Constructor } from '../model/options';

/** What kind of class a registry entry is. */
export type RegistryKind = 'pipeline' | 'task';

/** One registered class. */
export interface RegistryEntry {
  readonly kind: RegistryKind;
  readonly name: string;
  readonly version: string;
  readonly target: Constructor;
}

const key = (kind: RegistryKind, name: string, version: string): string => `${kind}:${name}@${version}`;

/**
 * `@Pipeline` and `@Task` classes by name and version: how agents and `resume()` find code
 * from serializable data. Registering the same name and version again replaces the entry,
 * so reloading a module (tests, watch mode) keeps the newest class.
 */
export class Registry {
  private readonly entries = new Map<string, RegistryEntry>();

  /** Enters a class under its name and version. */
  register(entry: RegistryEntry): void {
    this.entries.set(key(entry.kind, entry.name, entry.version), entry);
  }

  /** The class registered under this name and version, if any. */
  find(kind: RegistryKind, name: string, version: string): Constructor | undefined {
    return this.entries.get(key(kind, name, version))?.target;
  }

  /** Every entry of a kind, in registration order. */
  list(kind?: RegistryKind): RegistryEntry[] {
    return [...this.entries.values()].filter((entry) => kind === undefined || entry.kind === kind);
  }
}

const GLOBAL_REGISTRY = Symbol.for('@pipewright/core:registry');

/**
 * The process-wide registry the decorators write to. Kept on `globalThis` so that two copies
 * of this package (or two jest module registries) share one.
 */
export const registry: Registry = ((globalThis as Record<symbol, unknown>)[GLOBAL_REGISTRY] ??= new Registry()) as Registry;
