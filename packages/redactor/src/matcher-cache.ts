import type { Matcher } from './matcher.js';
import type { IndexedSecret, PatternSet } from './pattern-set.js';
import type { VariantKind } from './variant-kind.js';
import type { ScanEngine } from './wasm-scan.js';

/** What a redactor compiles from its secrets and options, and may share with others built the same way. */
export interface CompiledSecrets {
  readonly patterns: PatternSet;
  readonly matcher: Matcher;
}

/** Everything the compiled state depends on. */
export interface CompileInput {
  readonly secrets: readonly IndexedSecret[];
  readonly enabled: ReadonlySet<VariantKind>;
  readonly minLength: number;
  readonly engine: ScanEngine;
}

type Hmac = (input: CompileInput) => string;

/**
 * Compiled state shared between redactors built for the same secrets (in the
 * same order) and options: a host that makes a redactor per connection pays
 * for the automaton once. Entries are held weakly: the state lives as long as
 * some redactor uses it.
 *
 * The key is an HMAC-SHA-256 of the secrets under a random key made for this
 * process, so a key seen on its own (a heap snapshot, a debugger) tells
 * nothing about a secret, not even whether two processes hold the same one.
 * Where `node:crypto` is missing (a browser), nothing is cached.
 */
export class MatcherCache {
  private readonly entries = new Map<string, WeakRef<CompiledSecrets>>();
  private readonly registry = new FinalizationRegistry<string>((key) => {
    if (this.entries.get(key)?.deref() === undefined) this.entries.delete(key);
  });
  /** Made on first use, not on import; `undefined` where there is no `node:crypto`. */
  private hmac: Hmac | undefined | null = null;

  /** The compiled state for `input`, from the cache or made by `compile` (and kept for the next). */
  get(input: CompileInput, compile: () => CompiledSecrets): CompiledSecrets {
    if (this.hmac === null) this.hmac = processHmac();
    if (this.hmac === undefined) return compile();
    const key = this.hmac(input);
    const known = this.entries.get(key)?.deref();
    if (known !== undefined) return known;
    const compiled = compile();
    this.entries.set(key, new WeakRef(compiled));
    this.registry.register(compiled, key);
    return compiled;
  }

  /** Number of keys held (some may belong to state already collected). @internal */
  get size(): number {
    return this.entries.size;
  }
}

function processHmac(): Hmac | undefined {
  const crypto = globalThis.process?.getBuiltinModule?.('node:crypto') as
    | typeof import('node:crypto')
    | undefined;
  if (crypto === undefined || typeof WeakRef !== 'function') return undefined;
  const key = crypto.randomBytes(32);
  return (input) => {
    const mac = crypto.createHmac('sha256', key);
    const header = new Uint32Array([input.minLength, input.secrets.length]);
    mac.update(`${input.engine}:${[...input.enabled].sort().join(',')}:`);
    mac.update(new Uint8Array(header.buffer));
    // Each secret with its index and length first, so no two lists give the same bytes.
    const lengths = new Uint32Array(2);
    for (const secret of input.secrets) {
      lengths[0] = secret.index;
      lengths[1] = secret.bytes.length;
      mac.update(new Uint8Array(lengths.buffer));
      mac.update(secret.bytes);
    }
    return mac.digest('base64');
  };
}
