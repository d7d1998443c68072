/** A synthetic order: some have a negative amount or no customer, which validation rejects. */
export interface Order {
  readonly id: number;
  readonly customer: string | undefined;
  readonly amount: number;
}

/** `count` orders, the same on every run: about a quarter of them are invalid. */
export const makeOrders = (count: number): Order[] =>
  Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    customer: index % 7 === 0 ? undefined : `customer-${(index % 5) + 1}`,
    amount: ((index * 37) % 100) - 10,
  }));

/** Why an order is invalid, or `undefined` when it is valid. */
export const problemOf = (order: Order, minAmount: number): string | undefined => {
  if (order.customer === undefined) return 'no customer';
  if (order.amount < minAmount) return `amount ${order.amount} below ${minAmount}`;
  return undefined;
};
