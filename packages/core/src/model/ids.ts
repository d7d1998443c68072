import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// The largest multiple of 62 below 256: bytes above it are dropped so every character is equally likely.
const LIMIT = 248;

/**
 * A random id of `length` alphanumeric characters from node's CSPRNG (21 give ≈125 bits).
 * Alphanumeric only: an id never starts with `-`, so it never reads as an option on a command line.
 */
export const newId = (length = 21): string => {
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < LIMIT) id += ALPHABET[byte % ALPHABET.length];
      if (id.length === length) break;
    }
  }
  return id;
};
