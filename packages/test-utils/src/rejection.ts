/**
 * Awaits `promise`, which must reject with an error that `is` recognises, and
 * returns that error for the test to inspect. A promise that fulfils, or that
 * rejects with any other error, fails the test (the other error is rethrown).
 *
 * @example
 * const error = await rejection(loadPolicy(path), isPolicyError);
 * expect(error.code).toBe('PARSE');
 */
export async function rejection<E>(
  promise: Promise<unknown>,
  is: (error: unknown) => error is E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (is(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
