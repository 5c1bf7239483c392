// Replaces one layer with a pass-through when IRONRUN_ABLATE names it (see src/ablation.ts).
// Without IRONRUN_ABLATE every mock returns the real module unchanged.
import { afterAll, vi } from 'vitest';
import { ablatedSpawnSealed, currentAblation } from '../src/ablation.js';

// The harness's own spawner (IRONRUN_TEST_SPAWNER=1), closed after each test file.
const shared = vi.hoisted(() => ({ close: async () => {} }));
afterAll(() => shared.close());

vi.mock('@ironrun/sandbox', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ironrun/sandbox')>();
  const ablation = currentAblation();
  // IRONRUN_TEST_SPAWNER=1: the harness's own runSealed calls go through one sealed spawner too.
  const own = process.env.IRONRUN_TEST_SPAWNER === '1' ? actual.createSealedSpawner() : undefined;
  if (own !== undefined) shared.close = own.close;
  const spawn = own?.spawn ?? actual.spawnSealed;
  return {
    ...actual,
    spawnSealed: ablatedSpawnSealed(spawn, ablation),
    // The broker's spawner (the MCP server's runs in its own process) gets the same ablation.
    createSealedSpawner: (options?: Parameters<typeof actual.createSealedSpawner>[0]) => {
      const spawner = actual.createSealedSpawner(options);
      return { spawn: ablatedSpawnSealed(spawner.spawn, ablation), close: spawner.close };
    },
  };
});

vi.mock('@ironrun/redactor', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ironrun/redactor')>();
  const ablation = currentAblation();
  if (ablation === 'variants') {
    return {
      ...actual,
      createRedactor: (options: Parameters<typeof actual.createRedactor>[0]) =>
        actual.createRedactor({ ...options, variants: 'raw' }),
    };
  }
  if (ablation !== 'redactor') return actual;
  const empty = new Uint8Array(0);
  const stats = {
    total: 0,
    byKind: { raw: 0, base64: 0, base64url: 0, hex: 0, url: 0, json: 0, line: 0, xml: 0 },
  };
  const identity = {
    redact: (input: string | Uint8Array) => input,
    createStream: () => ({ push: (chunk: Uint8Array) => chunk, end: () => empty, stats }),
    transform: () => new TransformStream(),
    nodeTransform: () => {
      throw new Error('not used by the harness');
    },
    stats,
  };
  return { ...actual, createRedactor: () => identity };
});

vi.mock('@ironrun/policy', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ironrun/policy')>();
  if (currentAblation() !== 'policy-args') return actual;
  return { ...actual, validateArgs: (_command: unknown, args: readonly string[]) => [...args] };
});

vi.mock('@ironrun/provider', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ironrun/provider')>();
  if (currentAblation() !== 'fail-closed') return actual;
  type Provider = Parameters<typeof actual.resolveWithTimeout>[0];
  const placeholder = (ref: string) => ({ ref, found: true as const, value: `unresolved-${ref}` });
  return {
    ...actual,
    resolveWithTimeout: async (
      provider: Provider,
      refs: readonly string[],
      options: { signal?: AbortSignal },
    ) => {
      const signal = options.signal ?? new AbortController().signal;
      try {
        const aborted = new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
        const results = await Promise.race([provider.resolve(refs, { signal }), aborted]);
        return refs.map((ref, index) => {
          const result = results[index];
          return result?.found === true && result.value !== '' ? result : placeholder(ref);
        });
      } catch {
        return refs.map(placeholder);
      }
    },
  };
});
