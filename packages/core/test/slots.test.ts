import { Slots } from '../src/engine/run/slots';

describe('Slots (the concurrency gate)', () => {
  it('hands out slots synchronously while any are free', () => {
    const slots = new Slots(2);
    expect(slots.acquire()).toBeUndefined();
    expect(slots.acquire()).toBeUndefined();
    expect(slots.acquire()).toBeInstanceOf(Promise);
  });

  it('gives a released slot to the longest waiter first', async () => {
    const slots = new Slots(1);
    void slots.acquire();
    const order: string[] = [];
    void slots.acquire()?.then(() => order.push('first'));
    void slots.acquire()?.then(() => order.push('second'));
    slots.release();
    await Promise.resolve();
    expect(order).toEqual(['first']);
    slots.release();
    await Promise.resolve();
    expect(order).toEqual(['first', 'second']);
  });

  it('frees a released slot when nobody waits, for the next acquire to take at once', () => {
    const slots = new Slots(1);
    void slots.acquire();
    slots.release();
    expect(slots.acquire()).toBeUndefined();
  });

  it('never blocks when unbounded', () => {
    const slots = new Slots(Infinity);
    for (let index = 0; index < 10_000; index++) expect(slots.acquire()).toBeUndefined();
  });
});
