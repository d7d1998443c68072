import { container as rootContainer } from 'tsyringe';
import type { DependencyContainer, InjectionToken } from 'tsyringe';

/** A service stand-in: the token steps inject (a class, string or symbol) and the value they get. */
export type ServiceFake = readonly [token: InjectionToken<unknown>, value: unknown];

/**
 * A container for one test: a child of tsyringe's root, so the user's own registrations still
 * resolve, with each fake registered as a value, so it wins over them and never leaks into
 * the next test.
 */
export const testContainer = (services: readonly ServiceFake[] = []): DependencyContainer => {
  const container = rootContainer.createChildContainer();
  for (const [token, value] of services) container.register(token, { useValue: value });
  return container;
};
