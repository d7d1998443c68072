import { filter, lastValueFrom, map, take, toArray } from 'rxjs';
import { EventStream } from '../src/engine/run/event-stream';

describe("EventStream (a run's events$)", () => {
  it('is hot and multicast: every subscriber sees what is published after it subscribed', () => {
    const stream = new EventStream<number>();
    const first: number[] = [];
    const second: number[] = [];
    stream.observable.subscribe((value) => first.push(value));
    stream.next(1);
    stream.observable.subscribe((value) => second.push(value));
    stream.next(2);
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([2]);
  });

  it('works with operators, and completes them when the run ends', async () => {
    const stream = new EventStream<number>();
    const seen = lastValueFrom(stream.observable.pipe(filter((value) => value % 2 === 0), map((value) => value * 10), toArray()));
    for (let value = 1; value <= 5; value++) stream.next(value);
    stream.complete();
    await expect(seen).resolves.toEqual([20, 40]);
  });

  it('completes a subscriber that comes after the end at once, and publishes nothing more', () => {
    const stream = new EventStream<number>();
    stream.complete();
    const values: number[] = [];
    let completed = false;
    stream.observable.subscribe({ next: (value) => values.push(value), complete: () => (completed = true) });
    stream.next(1);
    expect(values).toEqual([]);
    expect(completed).toBe(true);
  });

  it('lets a subscriber leave during a publish: it gets nothing more, the others get the event', () => {
    const stream = new EventStream<number>();
    const seen: string[] = [];
    const leaving = stream.observable.pipe(take(1)).subscribe((value) => seen.push(`leaving ${value}`));
    stream.observable.subscribe((value) => {
      seen.push(`staying ${value}`);
      if (value === 1) leaving.unsubscribe();
    });
    const late = stream.observable.subscribe((value) => seen.push(`late ${value}`));
    stream.next(1);
    late.unsubscribe();
    stream.next(2);
    expect(seen).toEqual(['leaving 1', 'staying 1', 'late 1', 'staying 2']);
  });

  it('keeps a subscriber that joins during a publish out of that publish', () => {
    const stream = new EventStream<number>();
    const seen: string[] = [];
    stream.observable.subscribe((value) => {
      seen.push(`first ${value}`);
      if (value === 1) stream.observable.subscribe((inner) => seen.push(`joined ${inner}`));
    });
    stream.next(1);
    stream.next(2);
    expect(seen).toEqual(['first 1', 'first 2', 'joined 2']);
  });

  it("isolates a subscriber's throw: the others still get the event", () => {
    jest.useFakeTimers();
    try {
      const stream = new EventStream<number>();
      const seen: number[] = [];
      stream.observable.subscribe(() => {
        throw new Error('subscriber bug');
      });
      stream.observable.subscribe((value) => seen.push(value));
      stream.next(1);
      expect(seen).toEqual([1]);
      // RxJS reports a subscriber's error on a timer, out of the publisher's way.
      expect(() => jest.runOnlyPendingTimers()).toThrow('subscriber bug');
    } finally {
      jest.useRealTimers();
    }
  });
});
