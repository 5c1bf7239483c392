// The checks behind testProvider, kept apart so they can be tested to fail on broken providers.
import { expect } from 'vitest';
import { isProviderError } from '../provider-error.js';
import type { ResolveResult } from '../secret-provider.js';
import type { ProviderFixtures } from './test-provider.js';

/** Every text an error exposes: message, stack, String(), own properties, and its causes. */
export function errorTexts(error: unknown, depth = 0): string[] {
  if (depth > 5) return [];
  const texts: string[] = [];
  try {
    texts.push(String(error));
  } catch {}
  if (typeof error === 'object' && error !== null) {
    const { message, stack, cause } = error as {
      message?: unknown;
      stack?: unknown;
      cause?: unknown;
    };
    if (typeof message === 'string') texts.push(message);
    if (typeof stack === 'string') texts.push(stack);
    try {
      texts.push(JSON.stringify(error));
    } catch {}
    if (cause !== undefined) texts.push(...errorTexts(cause, depth + 1));
  }
  return texts;
}

export function assertNoValue(
  texts: readonly string[],
  values: Record<string, string>,
  where: string,
) {
  for (const [ref, value] of Object.entries(values)) {
    const leaked = texts.some((text) => text.includes(value));
    expect(leaked, `${where} contains the value of ${ref}`).toBe(false);
  }
}

export function isAbortRejection(error: unknown, signal: AbortSignal): boolean {
  if (error === signal.reason) return true;
  if (isProviderError(error)) return error.code === 'TIMEOUT';
  return error instanceof Error && error.name === 'AbortError';
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected resolve() to reject, but it resolved');
}

export function expected(fixtures: ProviderFixtures, ref: string): ResolveResult {
  return Object.hasOwn(fixtures.found, ref)
    ? { ref, found: true, value: fixtures.found[ref]! }
    : { ref, found: false };
}

export function assertResults(
  fixtures: ProviderFixtures,
  refs: readonly string[],
  results: unknown,
) {
  expect(Array.isArray(results), 'resolve() returns an array').toBe(true);
  const list = results as ResolveResult[];
  expect(list.map((result) => result.ref)).toEqual(refs);
  list.forEach((result, index) => {
    const want = expected(fixtures, refs[index]!);
    expect(result.found, `found for ${want.ref}`).toBe(want.found);
    if (want.found) {
      expect(result).toMatchObject({ ref: want.ref, found: true, value: want.value });
    } else {
      expect('value' in result, `a not-found result for ${want.ref} carries no value`).toBe(false);
      const reason = (result as { reason?: unknown }).reason;
      expect(reason === undefined || typeof reason === 'string', 'reason is a string').toBe(true);
    }
  });
}
