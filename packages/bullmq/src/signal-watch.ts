/**
 * One listener per abort signal, however many jobs it aborts: a run's steps share its signal,
 * and a listener per job would pile 1 000 listeners onto it in a 1 000-wide fan-out. Only a
 * count of the jobs watching each signal is kept (an abort is rare: the owner finds the jobs of
 * a fired signal itself, rather than every job paying for a set entry).
 */
export class SignalWatch {
  private readonly bySignal = new Map<AbortSignal, { watchers: number; readonly onAbort: () => void }>();

  constructor(
    /** Called once when a watched signal fires. */
    private readonly aborted: (signal: AbortSignal) => void,
  ) {}

  watch(signal: AbortSignal): void {
    let watched = this.bySignal.get(signal);
    if (watched === undefined) {
      const onAbort = (): void => {
        this.bySignal.delete(signal);
        this.aborted(signal);
      };
      watched = { watchers: 0, onAbort };
      this.bySignal.set(signal, watched);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watched.watchers++;
  }

  unwatch(signal: AbortSignal): void {
    const watched = this.bySignal.get(signal);
    if (watched === undefined || --watched.watchers > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener('abort', watched.onAbort);
  }
}
