import { readFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;

/**
 * The process's peak resident set, resettable where Linux allows it: writing `5` to
 * `/proc/self/clear_refs` resets VmHWM, so the peak of a measurement excludes the TypeScript
 * compilation that precedes it. Elsewhere, the whole-process peak from getrusage.
 */
export class PeakRss {
  private resettable = false;

  /** Starts a new peak from the current resident set. */
  reset(): void {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      this.resettable = this.readHwmKb() !== undefined;
    } catch {
      this.resettable = false;
    }
  }

  /** Peak since `reset()` (or since the process started, where it cannot be reset), in MB. */
  peakMb(): number {
    const hwm = this.resettable ? this.readHwmKb() : undefined;
    return hwm !== undefined ? hwm / 1024 : process.resourceUsage().maxRSS / 1024;
  }

  /** The resident set now, in MB. */
  static currentMb(): number {
    return process.memoryUsage.rss() / MB;
  }

  private readHwmKb(): number | undefined {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  }
}
