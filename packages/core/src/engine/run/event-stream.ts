import { Observable } from 'rxjs';
import type { Subscriber } from 'rxjs';

/**
 * A run's `events$`: hot and multicast like a `Subject`, completed with the run (a subscriber
 * that comes later completes at once).
 *
 * Not a `Subject` because a run publishes four events a step, and `Subject.next` costs each one
 * a closure (its error context) and an iterator over its observer snapshot (RxJS ships ES5).
 * Here the snapshot is the list itself, replaced on (rare) subscribe and unsubscribe, so a
 * publish in progress goes on over the list it started with, as with a `Subject`.
 */
export class EventStream<T> {
  readonly observable: Observable<T>;
  private subscribers: ReadonlyArray<Subscriber<T>> = [];
  private completed = false;

  constructor() {
    this.observable = new Observable<T>((subscriber) => {
      if (this.completed) return subscriber.complete();
      this.subscribers = [...this.subscribers, subscriber];
      return () => {
        this.subscribers = this.subscribers.filter((other) => other !== subscriber);
      };
    });
  }

  next(value: T): void {
    const subscribers = this.subscribers;
    // An unsubscribed subscriber in this snapshot is closed: its `next` does nothing.
    for (let i = 0; i < subscribers.length; i++) (subscribers[i] as Subscriber<T>).next(value);
  }

  complete(): void {
    if (this.completed) return;
    this.completed = true;
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) subscriber.complete();
  }
}
