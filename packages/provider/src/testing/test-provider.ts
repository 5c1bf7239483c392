import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { ProviderDefinition } from '../define-provider.js';
import { isProviderError, ProviderError } from '../provider-error.js';
import type { SecretProvider } from '../secret-provider.js';
import {
  assertNoValue,
  assertResults,
  errorTexts,
  isAbortRejection,
  rejection,
} from './conformance-checks.js';

/** The references the conformance suite resolves, and what it expects back. */
export interface ProviderFixtures {
  /**
   * References that exist, with their exact values. Values must be at least 6 characters
   * (the suite scans errors for them, and short values would match by chance).
   */
  found: Readonly<Record<string, string>>;
  /** Well-formed references that do not exist: each must come back `{ found: false }`. */
  missing: readonly string[];
  /**
   * Malformed references of the provider's scheme: each must make `resolve` reject with a
   * `ProviderError` of code `INVALID_REFERENCE` whose message names the reference.
   * @default []
   */
  invalid?: readonly string[];
}

/** Options of {@link testProvider}. */
export interface TestProviderOptions {
  /**
   * Shown in the suite's title.
   * @default 'provider'
   */
  name?: string;
  /** Creates a fresh provider whose backend holds `fixtures`. Called once per test. */
  create: () => SecretProvider | Promise<SecretProvider>;
  /** The references to resolve and their expected answers. */
  fixtures: ProviderFixtures;
  /**
   * Creates a provider whose backend never answers (a server that accepts and stalls, a
   * read that blocks). Enables the abort-mid-call test; without it that test is skipped.
   */
  slow?: () => SecretProvider | Promise<SecretProvider>;
  /**
   * Creates a provider whose backend fails (bad credentials, a server error). Its `resolve`
   * must reject with a `ProviderError`; the suite checks the error holds no value.
   */
  failing?: () => SecretProvider | Promise<SecretProvider>;
  /**
   * The provider's definition. When given, the suite checks its shape, that its schemes
   * cover every fixture reference, and that `invalidOptions` are refused.
   */
  definition?: ProviderDefinition<unknown>;
  /**
   * Raw option objects `definition.parseOptions` must refuse with a `ProviderError` of code
   * `CONFIG`.
   * @default []
   */
  invalidOptions?: readonly Record<string, unknown>[];
}

const minimumValueLength = 6;
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

function scheme(ref: string): string | undefined {
  const at = ref.indexOf('://');
  return at > 0 ? ref.slice(0, at) : undefined;
}

function checkFixtures(fixtures: ProviderFixtures): void {
  const found = Object.keys(fixtures.found);
  if (found.length === 0 || fixtures.missing.length === 0) {
    throw new ProviderError(
      'CONFIG',
      'testProvider: fixtures.found and fixtures.missing each need at least one reference',
    );
  }
  for (const [ref, value] of Object.entries(fixtures.found)) {
    if (typeof value !== 'string' || value.length < minimumValueLength) {
      throw new ProviderError(
        'CONFIG',
        `testProvider: the fixture value of ${ref} must be a string of at least ${minimumValueLength} characters`,
      );
    }
  }
  const all = [...found, ...fixtures.missing, ...(fixtures.invalid ?? [])];
  if (new Set(all).size !== all.length) {
    throw new ProviderError(
      'CONFIG',
      'testProvider: a reference appears twice across fixtures.found, .missing and .invalid',
    );
  }
}

/**
 * Registers a vitest `describe` block that checks a provider against the
 * {@link SecretProvider} contract: it resolves known references to their exact values,
 * reports missing ones per reference without failing the batch, keeps the order of the
 * references, handles large batches, duplicates and empty batches, honours an aborted
 * signal (before and during a call), never puts a value in an error, a reason or the
 * console, and `dispose` is idempotent. Call it once at the top level of a test file.
 *
 * @example
 * import { testProvider } from '@ironrun/provider/testing';
 *
 * testProvider({
 *   name: 'example',
 *   create: () => provider.create(provider.parseOptions({ secrets: { A: 'value-of-a' } }), context),
 *   fixtures: { found: { 'example://A': 'value-of-a' }, missing: ['example://NOPE'] },
 * });
 */
export function testProvider(options: TestProviderOptions): void {
  const { fixtures } = options;
  checkFixtures(fixtures);
  const values = { ...fixtures.found };
  const foundRefs = Object.keys(fixtures.found);
  const missingRefs = [...fixtures.missing];
  const invalidRefs = [...(fixtures.invalid ?? [])];
  const firstFound = foundRefs[0]!;
  const firstMissing = missingRefs[0]!;

  async function using<T>(
    factory: () => SecretProvider | Promise<SecretProvider>,
    run: (provider: SecretProvider) => Promise<T>,
  ): Promise<T> {
    const provider = await factory();
    try {
      return await run(provider);
    } finally {
      await provider.dispose?.();
    }
  }
  const signal = () => new AbortController().signal;

  describe(`testProvider: ${options.name ?? 'provider'}`, () => {
    let spies: MockInstance[] = [];
    beforeEach(() => {
      spies = consoleMethods.map((method) => vi.spyOn(console, method));
    });
    afterEach(() => {
      const texts = spies.flatMap((spy) => spy.mock.calls.flat().flatMap((arg) => errorTexts(arg)));
      for (const spy of spies) spy.mockRestore();
      assertNoValue(texts, values, 'the console output');
    });

    it('has a non-empty name', async () => {
      await using(options.create, async (provider) => {
        expect(typeof provider.name).toBe('string');
        expect(provider.name.trim()).not.toBe('');
      });
    });

    it('resolves every known reference to its exact value', async () => {
      await using(options.create, async (provider) => {
        const results = await provider.resolve(foundRefs, { signal: signal() });
        assertResults(fixtures, foundRefs, results);
      });
    });

    it('resolves a single known reference', async () => {
      await using(options.create, async (provider) => {
        const results = await provider.resolve([firstFound], { signal: signal() });
        assertResults(fixtures, [firstFound], results);
      });
    });

    it('reports each missing reference as not found without failing the batch', async () => {
      const refs = foundRefs.flatMap((ref, index) =>
        index < missingRefs.length ? [missingRefs[index]!, ref] : [ref],
      );
      refs.push(...missingRefs.slice(foundRefs.length));
      await using(options.create, async (provider) => {
        assertResults(fixtures, refs, await provider.resolve(refs, { signal: signal() }));
        const reasons = (await provider.resolve(missingRefs, { signal: signal() })).map((result) =>
          String((result as { reason?: unknown }).reason ?? ''),
        );
        assertNoValue(reasons, values, 'a not-found reason');
      });
    });

    it('returns results in the same order as the references', async () => {
      const refs = [...missingRefs, ...foundRefs].reverse();
      await using(options.create, async (provider) => {
        assertResults(fixtures, refs, await provider.resolve(refs, { signal: signal() }));
      });
    });

    it('resolves a batch of 120 references in one call', async () => {
      const pool = [...foundRefs, ...missingRefs];
      const refs = Array.from({ length: 120 }, (_, index) => pool[(index * 7) % pool.length]!);
      await using(options.create, async (provider) => {
        assertResults(fixtures, refs, await provider.resolve(refs, { signal: signal() }));
      });
    });

    it('answers a duplicated reference once per occurrence', async () => {
      const refs = [firstFound, firstFound, firstMissing, firstFound, firstMissing];
      await using(options.create, async (provider) => {
        assertResults(fixtures, refs, await provider.resolve(refs, { signal: signal() }));
      });
    });

    it('resolves an empty batch to an empty array', async () => {
      await using(options.create, async (provider) => {
        expect(await provider.resolve([], { signal: signal() })).toEqual([]);
      });
    });

    it('resolves concurrent calls independently', async () => {
      await using(options.create, async (provider) => {
        const batches = [foundRefs, missingRefs, [firstMissing, firstFound]];
        const results = await Promise.all(
          batches.map((refs) => provider.resolve(refs, { signal: signal() })),
        );
        batches.forEach((refs, index) => {
          assertResults(fixtures, refs, results[index]);
        });
      });
    });

    it('rejects when the signal is already aborted, with no value in the error', async () => {
      const controller = new AbortController();
      controller.abort();
      await using(options.create, async (provider) => {
        const error = await rejection(
          provider.resolve([...foundRefs, firstMissing], { signal: controller.signal }),
        );
        expect(isAbortRejection(error, controller.signal), 'an abort error or TIMEOUT').toBe(true);
        assertNoValue(errorTexts(error), values, 'the abort error');
      });
    });

    it.skipIf(options.slow === undefined)(
      'rejects when the signal aborts mid-call though the backend hangs',
      { timeout: 5000 },
      async () => {
        await using(options.slow!, async (provider) => {
          const controller = new AbortController();
          let settled = false;
          const pending = provider.resolve(foundRefs, { signal: controller.signal });
          pending.then(
            () => {
              settled = true;
            },
            () => {
              settled = true;
            },
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
          expect(settled, 'the slow provider must still be waiting for its backend').toBe(false);
          controller.abort();
          const error = await rejection(pending);
          expect(isAbortRejection(error, controller.signal), 'an abort error or TIMEOUT').toBe(
            true,
          );
          assertNoValue(errorTexts(error), values, 'the abort error');
        });
      },
    );

    it.skipIf(options.failing === undefined)(
      'rejects with a ProviderError holding no value when its backend fails',
      async () => {
        await using(options.failing!, async (provider) => {
          const error = await rejection(
            provider.resolve([...foundRefs, ...missingRefs], { signal: signal() }),
          );
          expect(isProviderError(error), 'a ProviderError').toBe(true);
          assertNoValue(errorTexts(error), values, 'the backend error');
        });
      },
    );

    it.skipIf(invalidRefs.length === 0)(
      'rejects a malformed reference with INVALID_REFERENCE naming it and no value',
      async () => {
        await using(options.create, async (provider) => {
          for (const ref of invalidRefs) {
            const error = await rejection(
              provider.resolve([firstFound, ref], { signal: signal() }),
            );
            expect(isProviderError(error), `a ProviderError for ${ref}`).toBe(true);
            expect((error as ProviderError).code).toBe('INVALID_REFERENCE');
            expect((error as ProviderError).message).toContain(ref);
            assertNoValue(errorTexts(error), values, `the error for ${ref}`);
          }
        });
      },
    );

    it('can be disposed twice, before and after resolving', async ({ skip }) => {
      const unused = await options.create();
      if (unused.dispose === undefined) skip('the provider has no dispose()');
      await unused.dispose!();
      await unused.dispose!();
      const used = await options.create();
      await used.resolve(foundRefs, { signal: signal() });
      await used.dispose!();
      await used.dispose!();
    });

    it.skipIf(options.definition === undefined)(
      'has a definition whose schemes cover every fixture reference',
      () => {
        const definition = options.definition!;
        expect(typeof definition.name).toBe('string');
        expect(typeof definition.parseOptions).toBe('function');
        expect(typeof definition.create).toBe('function');
        for (const ref of [...foundRefs, ...missingRefs]) {
          expect(definition.schemes, `the scheme of ${ref}`).toContain(scheme(ref));
        }
      },
    );

    it.skipIf(options.definition === undefined || (options.invalidOptions ?? []).length === 0)(
      'refuses invalid options with a CONFIG error',
      () => {
        for (const raw of options.invalidOptions ?? []) {
          let error: unknown;
          try {
            options.definition!.parseOptions(raw);
          } catch (caught) {
            error = caught;
          }
          expect(isProviderError(error), `parseOptions(${JSON.stringify(raw)}) throws`).toBe(true);
          expect((error as ProviderError).code).toBe('CONFIG');
        }
      },
    );
  });
}
