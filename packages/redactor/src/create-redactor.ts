import type { Transform } from 'node:stream';
import { buildMatcher } from './matcher.js';
import { MatcherCache } from './matcher-cache.js';
import { buildPatternSet, type IndexedSecret, type PatternSet } from './pattern-set.js';
import { RedactionSession } from './redaction-session.js';
import { RedactionCounter, type RedactionStats } from './redaction-stats.js';
import { RedactorError } from './redactor-error.js';
import {
  checkMinLength,
  checkOptionNames,
  enabledKinds,
  type VariantsOption,
} from './variant-kind.js';
import type { ScanEngine } from './wasm-scan.js';

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /**
   * The secret values to hide. A string is matched as its UTF-8 bytes, a
   * `Uint8Array` as is. Empty values are skipped, duplicates matched once.
   */
  secrets: Iterable<string | Uint8Array>;
  /**
   * What each redacted range becomes. It must not itself contain a secret or
   * one of its forms.
   * @default '[REDACTED]'
   */
  replacement?: string;
  /**
   * Which forms of each secret are looked for besides the raw bytes: `'all'`,
   * `'raw'` (the raw bytes only), or an object switching kinds off
   * (`{ hex: false }`); kinds not named stay on. `raw` cannot be switched off.
   * @default 'all'
   */
  variants?: VariantsOption;
  /**
   * Shortest secret accepted, in bytes. A shorter one is refused with
   * `SECRET_TOO_SHORT`, and encoded forms or lines shorter than this are not
   * looked for, since they would match ordinary output.
   * @default 6
   */
  minLength?: number;
}

/**
 * A low-level redaction stream: feed it chunks in order with `push()`, then
 * call `end()` once. Each call returns the redacted bytes that are final so far
 * (possibly none); together they are exactly what `redact()` returns for the
 * whole input, however the input was cut.
 */
export interface RedactionStream {
  /** Reads the next chunk; returns the output that is now final. Throws `STREAM_ENDED` after `end()`. */
  push(chunk: Uint8Array): Uint8Array;
  /** Flushes the held bytes (redacting any complete match) and closes the stream. */
  end(): Uint8Array;
  /** Replacements made by this stream so far (counted when a range is complete). */
  readonly stats: RedactionStats;
}

/** Hides a fixed set of secrets in output. Built once, used for any number of inputs and streams. */
export interface Redactor {
  /** Redacts a whole string (matched as UTF-8; lone surrogates become U+FFFD). */
  redact(input: string): string;
  /** Redacts a whole byte array; the result is a new array. */
  redact(input: Uint8Array): Uint8Array;
  /** Starts a low-level stream. */
  createStream(): RedactionStream;
  /** A WHATWG `TransformStream` that redacts the bytes flowing through it. */
  transform(): TransformStream<Uint8Array, Uint8Array>;
  /** A Node.js `Transform` that redacts the bytes flowing through it. */
  nodeTransform(): Transform;
  /** Replacements made by everything this redactor produced so far, by kind. Never which secret. */
  readonly stats: RedactionStats;
}

const optionNames = new Set(['secrets', 'replacement', 'variants', 'minLength']);
/** Compiled state shared by redactors built for the same secrets and options. @internal */
export const matcherCache = new MatcherCache();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds a redactor for a set of secrets. All the work of expanding variants
 * and building the matcher happens here, once.
 *
 * @throws {RedactorError} `SECRET_TOO_SHORT` (with the secret's `index`),
 * `INVALID_OPTIONS`, or `REPLACEMENT_CONTAINS_SECRET`. Messages never contain a
 * secret value.
 *
 * @example
 * ```ts
 * import { spawn } from 'node:child_process';
 * import { createRedactor } from '@ironrun/redactor';
 *
 * const redactor = createRedactor({ secrets: [process.env.API_TOKEN ?? ''] });
 * redactor.redact(`token=${process.env.API_TOKEN}`); // 'token=[REDACTED]'
 *
 * const child = spawn('./deploy.sh', { stdio: ['ignore', 'pipe', 'inherit'] });
 * child.stdout.pipe(redactor.nodeTransform()).pipe(process.stdout);
 * ```
 */
export function createRedactor(options: RedactorOptions): Redactor {
  return createRedactorWith(options, defaultEngine.current);
}

/**
 * The engine {@link createRedactor} uses. Only the tests change it, to run the
 * whole suite on the TypeScript engine too; it is not exported from the package.
 * @internal
 */
export const defaultEngine: { current: ScanEngine } = { current: 'auto' };

/**
 * {@link createRedactor} with the engine chosen. Not exported from the package.
 * @internal
 */
export function createRedactorWith(options: RedactorOptions, engine: ScanEngine): Redactor {
  checkOptionNames(
    options,
    'createRedactor()',
    optionNames,
    'secrets, replacement, variants or minLength',
  );
  const minLength = checkMinLength(options.minLength);
  const replacementText = options.replacement ?? '[REDACTED]';
  if (typeof replacementText !== 'string') {
    throw new RedactorError('INVALID_OPTIONS', 'replacement must be a string.');
  }
  const enabled = enabledKinds(options.variants);
  const secrets = readSecrets(options.secrets, minLength);
  const { patterns, matcher } = matcherCache.get({ secrets, enabled, minLength, engine }, () => {
    const patterns = buildPatternSet(secrets, enabled, minLength);
    return { patterns, matcher: buildMatcher(patterns, engine) };
  });
  const replacement = encoder.encode(replacementText);
  checkReplacement(replacement, patterns);
  const counter = new RedactionCounter();
  const createStream = (): RedactionStream => new RedactionSession(matcher, replacement, counter);

  function redact(input: string): string;
  function redact(input: Uint8Array): Uint8Array;
  function redact(input: string | Uint8Array): string | Uint8Array {
    const isText = typeof input === 'string';
    const bytes = isText ? encoder.encode(input) : asBytes(input);
    const stream = createStream();
    const head = stream.push(bytes);
    const rest = stream.end();
    let out = head;
    if (rest.length > 0) {
      out = new Uint8Array(head.length + rest.length);
      out.set(head);
      out.set(rest, head.length);
    }
    return isText ? decoder.decode(out) : out;
  }

  return {
    redact,
    createStream,
    transform() {
      const stream = createStream();
      return new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const out = stream.push(asBytes(chunk));
          if (out.length > 0) controller.enqueue(out);
        },
        flush(controller) {
          const out = stream.end();
          if (out.length > 0) controller.enqueue(out);
        },
      });
    },
    nodeTransform() {
      const stream = createStream();
      const { Transform } = nodeStream();
      return new Transform({
        transform(chunk: unknown, _encoding, callback) {
          let out: Uint8Array;
          try {
            out = stream.push(asBytes(chunk));
          } catch (error) {
            callback(error as Error);
            return;
          }
          if (out.length > 0) this.push(out);
          callback();
        },
        flush(callback) {
          let out: Uint8Array;
          try {
            out = stream.end();
          } catch (error) {
            callback(error as Error);
            return;
          }
          if (out.length > 0) this.push(out);
          callback();
        },
      });
    },
    get stats() {
      return counter.snapshot();
    },
  };
}

function readSecrets(secrets: unknown, minLength: number): IndexedSecret[] {
  if (
    typeof secrets !== 'object' ||
    secrets === null ||
    typeof (secrets as Iterable<unknown>)[Symbol.iterator] !== 'function' ||
    typeof secrets === 'string'
  ) {
    throw new RedactorError(
      'INVALID_OPTIONS',
      'secrets must be an iterable (such as an array) of strings or Uint8Arrays.',
    );
  }
  const out: IndexedSecret[] = [];
  let index = 0;
  for (const secret of secrets as Iterable<unknown>) {
    let bytes: Uint8Array;
    if (typeof secret === 'string') bytes = encoder.encode(secret);
    else if (isByteArray(secret)) bytes = new Uint8Array(secret);
    else {
      throw new RedactorError(
        'INVALID_OPTIONS',
        `secrets[${index}] is neither a string nor a Uint8Array.`,
        { index },
      );
    }
    if (bytes.length > 0 && bytes.length < minLength) {
      throw new RedactorError(
        'SECRET_TOO_SHORT',
        `secrets[${index}] is shorter than minLength (${minLength} bytes). A secret that short ` +
          'would hide ordinary output and is easy to guess: use a longer secret, leave it out, ' +
          'or lower minLength.',
        { index },
      );
    }
    if (bytes.length > 0) out.push({ index, bytes });
    index++;
  }
  return out;
}

function checkReplacement(replacement: Uint8Array, patterns: PatternSet): void {
  for (let p = 0; p < patterns.count; p++) {
    const start = patterns.starts[p]!;
    const length = patterns.lengths[p]!;
    for (let at = 0; at + length <= replacement.length; at++) {
      let i = 0;
      while (i < length && patterns.pool[start + i] === replacement[at + i]) i++;
      if (i === length) {
        const index = patterns.secretIndexes[p]!;
        throw new RedactorError(
          'REPLACEMENT_CONTAINS_SECRET',
          `The replacement text contains secrets[${index}] or one of its encoded forms, so ` +
            'redacted output would still show it. Choose another replacement.',
          { index },
        );
      }
    }
  }
}

function isByteArray(value: unknown): value is Uint8Array {
  return (
    ArrayBuffer.isView(value) && (value as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT === 1
  );
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (isByteArray(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new RedactorError('INVALID_INPUT', 'Expected a Uint8Array chunk of bytes.');
}

function nodeStream(): typeof import('node:stream') {
  const stream = globalThis.process?.getBuiltinModule?.('node:stream');
  if (stream === undefined) {
    throw new RedactorError(
      'UNSUPPORTED_RUNTIME',
      'nodeTransform() needs Node.js 20.16 or later; use transform() elsewhere.',
    );
  }
  return stream;
}
