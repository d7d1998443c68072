import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// The largest multiple of 62 below 256: bytes above it are dropped so every character is equally likely.
const LIMIT = 248;

// Random bytes are drawn from the CSPRNG a pool at a time: a call per id cost a small run more than its steps did.
const pool = Buffer.allocUnsafe(4096);
let next = pool.length;

const randomByte = (): number => {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] as number;
};

/**
 * A random id of `length` alphanumeric characters from node's CSPRNG (21 give ≈125 bits).
 * Alphanumeric only: an id never starts with `-`, so it never reads as an option on a command line.
 */
export const newId = (length = 21): string => {
  let id = '';
  while (id.length < length) {
    const byte = randomByte();
    if (byte < LIMIT) id += ALPHABET[byte % ALPHABET.length];
  }
  return id;
};
