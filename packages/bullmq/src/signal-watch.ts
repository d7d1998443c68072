/**
 * Jobs by the signal that aborts them, with one listener per signal: a run's steps share its
 * signal, and a listener per job would pile 1 000 listeners onto it in a 1 000-wide fan-out.
 */
export class SignalWatch {
  private readonly bySignal = new Map<AbortSignal, { readonly jobs: Set<string>; readonly onAbort: () => void }>();

  constructor(
    /** Called for each job still watched when its signal fires. */
    private readonly aborted: (id: string, reason: unknown) => void,
  ) {}

  watch(signal: AbortSignal, id: string): void {
    let watched = this.bySignal.get(signal);
    if (watched === undefined) {
      const jobs = new Set<string>();
      const onAbort = (): void => {
        this.bySignal.delete(signal);
        for (const job of [...jobs]) this.aborted(job, signal.reason);
      };
      watched = { jobs, onAbort };
      this.bySignal.set(signal, watched);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watched.jobs.add(id);
  }

  unwatch(signal: AbortSignal, id: string): void {
    const watched = this.bySignal.get(signal);
    if (watched === undefined) return;
    watched.jobs.delete(id);
    if (watched.jobs.size > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener('abort', watched.onAbort);
  }
}
