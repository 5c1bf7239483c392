import { describe, expect, it } from 'vitest';
import { rejection } from './rejection.js';

class Wanted extends Error {}
const isWanted = (error: unknown): error is Wanted => error instanceof Wanted;

describe('rejection', () => {
  it('returns the error the promise rejects with', async () => {
    const wanted = new Wanted('no');
    await expect(rejection(Promise.reject(wanted), isWanted)).resolves.toBe(wanted);
  });

  it('fails when the promise fulfils', async () => {
    await expect(rejection(Promise.resolve(1), isWanted)).rejects.toThrow('expected a rejection');
  });

  it('rethrows any other error', async () => {
    const other = new TypeError('other');
    await expect(rejection(Promise.reject(other), isWanted)).rejects.toBe(other);
  });
});
