/**
 * `record[key] = value` as an own, enumerable property whatever the key: a step may be named
 * `__proto__`, which plain assignment would take as the object's prototype.
 */
export const putOwn = <T>(record: Record<string, T>, key: string, value: T): void => {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
};
