import { StepError } from '../../errors/errors';
import { isTerminal } from '../../model/results';
import type { WaitOptions } from '../../model/step-context';
import type { WaitRecord } from '../../ports/run-store';
import type { RunCore } from './run-core';
import type { StepEventBody } from './run-step-channel';
import type { SlotLender } from './slot-lender';
import type { StepState } from './step-state';
import type { StepStatusWriter } from './step-status';

type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A `ctx.waitFor` that found no signal yet: woken by `engine.signal` here, or by the store poll. */
interface SignalWaiter {
  readonly state: StepState;
  readonly seq: number;
  readonly name: string;
  readonly abort: AbortSignal;
  deliver(payload: unknown): void;
  done: boolean;
}

const invalid = (step: string, message: string): StepError => new StepError('INVALID_WAIT', step, message);

/**
 * Durable waits inside a step: `ctx.waitFor` and `ctx.sleep`. The `seq`-th call of an attempt
 * finds the step's `seq`-th record first (a signal delivered, a sleep's deadline), so a step re-run
 * after a crash continues at once. Commit, then act: a signal is consumed and recorded, and a
 * sleep's deadline recorded, in a commit that lands before the step goes on with it. While it
 * waits the step is `waiting` and lends its slot back; its cancellation (stop, timeout) ends the
 * wait at once.
 */
export class Waits {
  private readonly waiters = new Set<SignalWaiter>();
  /** How many waits each step has open: it is `running` again when the last one ends. */
  private readonly open = new Map<StepState, number>();
  /** Takes of signals, one at a time: each consumption is committed before the next read. */
  private taking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly core: RunCore,
    private readonly status: StepStatusWriter,
    private readonly lender: SlotLender,
  ) {}

  /** Whether a step of the run waits for a signal (the engine's store poll asks). */
  get waitingForSignals(): boolean {
    return this.waiters.size > 0;
  }

  /** Looks for signals for every waiting step: `engine.signal` and the store poll call it. */
  wake(): void {
    for (const waiter of this.waiters) void this.tryDeliver(waiter);
  }

  async waitFor(state: StepState, seq: number, name: unknown, options: WaitOptions | undefined, abort: AbortSignal): Promise<unknown> {
    const step = state.name;
    if (typeof name !== 'string' || name === '') throw invalid(step, `Step '${step}' called ctx.waitFor with ${JSON.stringify(name) ?? String(name)}; a signal's name must be a non-empty string.`);
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw invalid(step, `Step '${step}' called ctx.waitFor('${name}') with timeoutMs ${String(timeoutMs)}; it must be a finite number ≥ 0.`);
    }
    const { store } = this.core;
    if (store.readSignal === undefined || store.saveWait === undefined) {
      throw new StepError('WAIT_NOT_SUPPORTED', step, `Step '${step}' called ctx.waitFor('${name}'), but this run's store keeps no signals (a nested pipeline's steps cannot wait for signals yet).`);
    }
    abort.throwIfAborted();
    const recorded = await this.recorded(state, seq);
    if (recorded?.kind === 'signal' && recorded.name === name) return recorded.payload;
    const early = await this.take(state, seq, name, abort);
    if (early !== undefined) return early.payload;
    return this.suspend(state, abort, { signal: name }, `waiting for signal '${name}'`, (finish) => {
      const waiter: SignalWaiter = { state, seq, name, abort, done: false, deliver: (payload) => finish({ ok: true, value: payload }) };
      this.waiters.add(waiter);
      // Read at call time, so fake timers govern it.
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        finish({ ok: false, error: new StepError('WAIT_TIMEOUT', step, `Step '${step}' waited ${timeoutMs} ms for signal '${name}', which did not come.`) });
      }, timeoutMs);
      // The engine's store poll is unref'd: on a durable store, where the signal comes from another
      // process, this keeps the process alive while it waits (a timeout's timer does already).
      const keepAlive = timer === undefined && this.core.store.durable ? setInterval(() => undefined, 3_600_000) : undefined;
      // A signal sent between the first look and now must not be missed.
      void this.tryDeliver(waiter);
      return () => {
        waiter.done = true;
        this.waiters.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        if (keepAlive !== undefined) clearInterval(keepAlive);
      };
    });
  }

  async sleep(state: StepState, seq: number, ms: unknown, abort: AbortSignal): Promise<void> {
    const step = state.name;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw invalid(step, `Step '${step}' called ctx.sleep(${String(ms)}); a sleep must be a finite number of ms ≥ 0.`);
    }
    abort.throwIfAborted();
    if (ms === 0) return;
    const recorded = await this.recorded(state, seq);
    let until: number;
    if (recorded?.kind === 'sleep') {
      until = recorded.until;
    } else {
      until = Date.now() + ms;
      const { store } = this.core;
      if (store.saveWait !== undefined) {
        store.saveWait(this.core.id, step, seq, { kind: 'sleep', until });
        await this.committed(abort);
      }
    }
    const left = until - Date.now();
    if (left <= 0) return;
    await this.suspend(state, abort, { until }, `sleeping until ${new Date(until).toISOString()}`, (finish) => {
      const timer = setTimeout(() => finish({ ok: true, value: undefined }), left);
      return () => clearTimeout(timer);
    });
  }

  /**
   * Marks the step `waiting`, lends its slot back and waits until `arm`'s wait settles or the
   * step is cancelled; then takes a slot again and marks it `running` (when no other wait of it is open).
   */
  private async suspend(
    state: StepState,
    abort: AbortSignal,
    what: { readonly signal?: string; readonly until?: number },
    message: string,
    arm: (finish: (settled: Settled) => void) => () => void,
  ): Promise<unknown> {
    let disarm: (() => void) | undefined;
    let settle!: (settled: Settled) => void;
    const outcome = new Promise<Settled>((resolve) => (settle = resolve));
    let over = false;
    const finish = (settled: Settled): void => {
      if (over) return;
      over = true;
      abort.removeEventListener('abort', onAbort);
      disarm?.();
      settle(settled);
    };
    const onAbort = (): void => finish({ ok: false, error: abort.reason });
    abort.addEventListener('abort', onAbort, { once: true });
    state.scope?.onCancel((reason) => finish({ ok: false, error: reason }));
    this.open.set(state, (this.open.get(state) ?? 0) + 1);
    const event: StepEventBody = { type: 'step.waiting', queue: state.node.options.queue ?? 'default', waitedMs: 0, message, ...what };
    if (!isTerminal(state.result.status)) this.status.transition(state, 'waiting', event);
    await this.lender.lendWhile(state, () => {
      disarm = arm(finish);
      if (over) disarm();
    }, outcome);
    const settled = await outcome;
    const left = (this.open.get(state) ?? 1) - 1;
    if (left > 0) this.open.set(state, left);
    else this.open.delete(state);
    if (!settled.ok) throw settled.error;
    if (left === 0 && state.result.status === 'waiting') this.status.transition(state, 'running', { type: 'step.started' });
    return settled.value;
  }

  private async tryDeliver(waiter: SignalWaiter): Promise<void> {
    if (waiter.done) return;
    try {
      const taken = await this.take(waiter.state, waiter.seq, waiter.name, waiter.abort, waiter);
      if (taken !== undefined) waiter.deliver(taken.payload);
    } catch {
      // A store that cannot be read now is read again on the next wake (the poll, another signal).
    }
  }

  /**
   * Consumes the oldest signal `name` (if any) for the step's `seq`-th wait, and resolves once
   * that is committed. One take at a time, so two waits of the run never get the same signal.
   */
  private take(state: StepState, seq: number, name: string, abort: AbortSignal, waiter?: SignalWaiter): Promise<{ payload: unknown } | undefined> {
    const next = this.taking.then(async () => {
      const { store, id } = this.core;
      // Read again after the await: the wait may have timed out or been cancelled meanwhile.
      const stale = (): boolean => waiter?.done === true || abort.aborted || isTerminal(state.result.status);
      if (stale()) return undefined;
      const found = await store.readSignal?.(id, name);
      if (found === undefined || stale()) return undefined;
      const record: WaitRecord = { kind: 'signal', name, payload: found.payload, deliveredAt: Date.now() };
      store.saveWait?.(id, state.name, seq, record, found.id);
      await this.committed(abort);
      return { payload: found.payload };
    });
    this.taking = next.catch(() => undefined);
    return next;
  }

  /** Resolves once what is staged now is committed; rejects if the step is cancelled first. */
  private committed(abort: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(abort.reason);
      if (abort.aborted) return onAbort();
      abort.addEventListener('abort', onAbort, { once: true });
      void this.core.journal.settled().then(() => {
        abort.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private async recorded(state: StepState, seq: number): Promise<WaitRecord | undefined> {
    const waits = await this.core.store.readWaits?.(this.core.id, state.name);
    return waits?.find((wait) => wait.seq === seq)?.record;
  }
}
