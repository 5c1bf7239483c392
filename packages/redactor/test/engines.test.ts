import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileScanWat } from '../scripts/compile-wat.mjs';
import { createRedactorWith, defaultEngine } from '../src/create-redactor.js';
import { MatchList } from '../src/match-list.js';
import { buildMatcher } from '../src/matcher.js';
import { buildPatternSet } from '../src/pattern-set.js';
import { RedactionSession } from '../src/redaction-session.js';
import { RedactionCounter } from '../src/redaction-stats.js';
import { scanWasmBase64 } from '../src/scan-wasm.js';
import { SkipSearch } from '../src/skip-search.js';
import { variantKinds } from '../src/variant-kind.js';
import { type WasmScan, wasmAvailable } from '../src/wasm-scan.js';
import { cutAt, streamThrough } from './reference-redact.js';

const encoder = new TextEncoder();
const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const base64 = Buffer.from(secret).toString('base64');

/** Output through each engine, cut into the same chunks. */
function bothEngines(secrets: string[], input: Uint8Array, cuts: number[]) {
  return (['js', 'wasm'] as const).map((engine) => {
    const redactor = createRedactorWith({ secrets }, engine);
    const out = Buffer.from(streamThrough(redactor.createStream(), cutAt(input, cuts)));
    return { out, stats: redactor.stats };
  });
}

/** The patterns of `secret` with every variant, as `createRedactor` builds them. */
const patternsOfSecret = () =>
  buildPatternSet([{ index: 0, bytes: encoder.encode(secret) }], new Set(variantKinds), 6);

const everyChunkOf = (input: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(input.length / size) }, (_, i) => i * size);

describe('scan engines', () => {
  it('runs on WebAssembly by default here (Node 20 has SIMD), so the main suite tests it', () => {
    expect(wasmAvailable()).toBe(true);
    const set = patternsOfSecret();
    // The other project runs the suite with defaultEngine 'js'; there, no module is built.
    expect(buildMatcher(set, defaultEngine.current).wasm === undefined).toBe(
      defaultEngine.current === 'js',
    );
    expect(buildMatcher(set, 'wasm').wasm).toBeDefined();
    expect(buildMatcher(set, 'js').wasm).toBeUndefined();
  });

  it('ships the bytes that scan.wat compiles to', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../src/scan.wat', import.meta.url), 'utf8');
    const compiled = Buffer.from(await compileScanWat(text)).toString('base64');
    expect(compiled === scanWasmBase64, 'run `pnpm --filter @ironrun/redactor build:wasm`').toBe(
      true,
    );
  });

  it('gives byte-identical output and stats on both engines, for any chunking', () => {
    const piece = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'ab Z09+/-_=.\n\r\t"'.split('')), maxLength: 60 }),
      fc.constant(secret),
      fc.constant(base64),
      fc
        .integer({ min: 1, max: 80 })
        .map((column) => base64.replace(new RegExp(`(.{${column}})`, 'g'), '$1\n')),
      fc.nat(400).map((length) => 'plain log output line\n'.repeat(length / 20)),
    );
    const case_ = fc
      .array(piece, { maxLength: 40 })
      .map((pieces) => encoder.encode(pieces.join('')))
      .chain((input) =>
        fc.tuple(
          fc.constant(input),
          fc.oneof(
            fc.array(fc.nat(input.length), { maxLength: 8 }),
            fc.constantFrom(256, 300, 1000, 4096).map((size) => everyChunkOf(input, size)),
          ),
        ),
      );
    fc.assert(
      fc.property(case_, ([input, cuts]) => {
        const [js, wasm] = bothEngines([secret, 'another-secret-value'], input, cuts);
        expect(wasm!.out.equals(js!.out)).toBe(true);
        expect(wasm!.stats).toEqual(js!.stats);
        expect(wasm!.out.includes(secret)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('resumes when a candidate list fills: more than 8,192 windows to compare in one chunk', () => {
    // A chunk made of the secret over and over: a window to compare at almost every byte.
    const input = encoder.encode(`${secret}x`.repeat(12_000));
    const [js, wasm] = bothEngines([secret], input, [0]);
    expect(wasm!.out.equals(js!.out)).toBe(true);
    expect(wasm!.stats.total).toBe(12_000);
    expect(wasm!.out.includes(secret)).toBe(false);
  });

  it('resumes when the line-break list fills: more than 8,192 breaks in one chunk', () => {
    // Base64 wrapped at every column from 1: tens of thousands of breaks between encoded characters.
    const parts: string[] = [];
    for (let column = 1; column <= 40; column++) {
      parts.push(`${base64.replace(new RegExp(`(.{${column}})`, 'g'), '$1\n')}\n.\n`);
    }
    const input = encoder.encode(parts.join('').repeat(100));
    const breaks = input.filter((byte) => byte === 0x0a).length;
    expect(breaks).toBeGreaterThan(3 * 8192);
    const [js, wasm] = bothEngines([secret], input, [0]);
    expect(wasm!.out.equals(js!.out)).toBe(true);
    expect(wasm!.stats.total).toBe(js!.stats.total);
    expect(wasm!.stats.byKind.base64).toBe(4000);
  });

  it('reads a chunk larger than 1 MiB in slices, with secrets across the slice edges', () => {
    const MiB = 1024 * 1024;
    const filler = 'INFO request done in 12 ms\n';
    const parts: string[] = [];
    let length = 0;
    // Secrets (raw, and base64 wrapped at 76 columns) placed to straddle 1 MiB and 2 MiB.
    for (const edge of [MiB, 2 * MiB]) {
      while (length < edge - 20) {
        parts.push(filler);
        length += filler.length;
      }
      const wrapped = `${base64.slice(0, 20)}\n${base64.slice(20)}\n`;
      const piece = edge === MiB ? `${secret}\n` : wrapped;
      parts.push(piece);
      length += piece.length;
    }
    parts.push(filler.repeat(1000));
    const input = encoder.encode(parts.join(''));
    expect(input.length).toBeGreaterThan(2 * MiB);
    const [js, wasm] = bothEngines([secret], input, [0]);
    expect(wasm!.out.equals(js!.out)).toBe(true);
    expect(wasm!.stats.total).toBe(2);
    const small = createRedactorWith({ secrets: [secret] }, 'wasm');
    const streamed = Buffer.from(
      streamThrough(small.createStream(), cutAt(input, everyChunkOf(input, 65536))),
    );
    expect(streamed.equals(wasm!.out)).toBe(true);
  });

  it('finds a wrapped secret after a long dump in the same chunk, when the dump made the memory grow', () => {
    const set = patternsOfSecret();
    const dump = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 131) % 251)).toString(
      'base64',
    );
    const wrappedSecret = `${base64.slice(0, 20)}\n${base64.slice(20)}\n`;
    // A space ends the dump's run; the secret's two lines are a run of their own.
    const input = encoder.encode(
      `${dump.replace(/(.{76})/g, '$1\n')}\nok \n${wrappedSecret} done\n`,
    );
    // A fresh matcher: its memory holds a 64 KiB chunk; this one, and the run's copy, need more.
    const matcher = buildMatcher(set, 'wasm');
    expect(matcher.wasm!.memory.buffer.byteLength).toBeLessThan(input.length);
    const session = new RedactionSession(matcher, encoder.encode('[R]'), new RedactionCounter());
    const out = Buffer.concat([session.push(input), session.end()]).toString();
    expect(out.endsWith('ok \n[R]\n done\n')).toBe(true);
    const js = createRedactorWith({ secrets: [secret] }, 'js').redact(input);
    expect(Buffer.from(js).toString().endsWith('ok \n[REDACTED]\n done\n')).toBe(true);
  });

  it('leaves no copy of a wrapped dump in the scratch space once a stream ends', () => {
    const set = patternsOfSecret();
    const matcher = buildMatcher(set, defaultEngine.current);
    const session = new RedactionSession(matcher, encoder.encode('[R]'), new RedactionCounter());
    const dump = Buffer.from(`${'A'.repeat(3000)}${secret}${'B'.repeat(3000)}`).toString('base64');
    const input = encoder.encode(`${dump.replace(/(.{76})/g, '$1\n')}\n`);
    // The copy without line breaks is in the module's memory, or in the matcher's scratch.
    const copies = () =>
      matcher.wasm === undefined
        ? Buffer.from(matcher.wrapped!.scratch)
        : Buffer.from(matcher.wasm.memory.buffer);
    const head = session.push(input);
    expect(copies().includes(dump.slice(100, 300))).toBe(true);
    const out = Buffer.concat([head, session.end()]).toString();
    expect(out.split('[R]')).toHaveLength(2);
    expect(copies().includes(dump.slice(100, 300))).toBe(false);
    if (matcher.wasm === undefined) expect(copies().every((byte) => byte === 0)).toBe(true);
  });

  it('leaves no copy of the input in the module memory once a stream ends', () => {
    const set = patternsOfSecret();
    const matcher = buildMatcher(set, 'wasm');
    const session = new RedactionSession(
      matcher,
      encoder.encode('[REDACTED]'),
      new RedactionCounter(),
    );
    const memory = () => Buffer.from(matcher.wasm!.memory.buffer);
    session.push(encoder.encode(`${'output '.repeat(100)}${secret} and more output\n`));
    // The copy is there while the stream is open (so this test can fail) ...
    expect(memory().includes(secret)).toBe(true);
    session.end();
    // ... and gone after end().
    expect(memory().includes(secret)).toBe(false);
  });
});

describe('the WebAssembly line-break scan', () => {
  /** What `breaks` must list: every `\n` or `\r` from `from` on with no breaker byte beside it. */
  function reference(chunk: Uint8Array, from: number, classes: Uint8Array) {
    const kept: number[] = [];
    for (let p = from; p < chunk.length; p++) {
      if (chunk[p] !== 0x0a && chunk[p] !== 0x0d) continue;
      if (p > 0 && classes[chunk[p - 1]!] === 2) continue;
      if (p + 1 < chunk.length && classes[chunk[p + 1]!] === 2) continue;
      kept.push(p);
    }
    return kept;
  }

  /** Every break the module lists from `from`, calling again from `resume` as the stream does. */
  function listed(wasm: WasmScan, chunk: Uint8Array, from: number, cap: number) {
    const all: number[] = [];
    wasm.load(chunk);
    let at = from;
    while (at < chunk.length) {
      const count = wasm.breaks(at, cap);
      for (let k = 0; k < count; k++) all.push(wasm.words[wasm.listA + k]!);
      expect(wasm.resume).toBeGreaterThan(count === 0 ? at - 1 : all.at(-1)!);
      at = wasm.resume;
    }
    return all;
  }

  it('lists the breaks with no breaker beside them, at every offset of a block and across blocks', () => {
    const matcher = buildMatcher(patternsOfSecret(), 'wasm');
    const wasm = matcher.wasm!;
    const classes = matcher.wrapped!.byteClass;
    let checked = 0;
    // Encoded characters with a break (each kind of neighbour: a character, a space, another
    // break) at offset `at`, and a second one `gap` bytes on: both in one 64-byte block, or in two.
    for (let at = 0; at < 140; at++) {
      for (const gap of [1, 2, 5, 63, 64, 65]) {
        for (const [before, after] of [
          [0x41, 0x2f],
          [0x20, 0x41],
          [0x41, 0x3d],
          [0x0d, 0x41],
        ] as const) {
          const chunk = new Uint8Array(200).fill(0x61);
          if (at > 0) chunk[at - 1] = before;
          chunk[at] = 0x0a;
          if (at + 1 < chunk.length) chunk[at + 1] = after;
          if (at + gap < chunk.length) chunk[at + gap] = at % 2 === 0 ? 0x0d : 0x0a;
          for (const from of [0, at, at + 1]) {
            for (const cap of [64, 8192]) {
              expect(listed(wasm, chunk, from, cap)).toEqual(reference(chunk, from, classes));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(140 * 6 * 4 * 3 * 2);
  });

  it('resumes when its list is full, whatever the chunk length, and lists every break once', () => {
    const matcher = buildMatcher(patternsOfSecret(), 'wasm');
    const wasm = matcher.wasm!;
    const classes = matcher.wrapped!.byteClass;
    // A break after every character, then every other one: the list fills in each block.
    for (const length of [63, 64, 65, 127, 128, 129, 1000, 4099]) {
      for (const step of [2, 3]) {
        const chunk = Uint8Array.from({ length }, (_, k) =>
          k % step === 1 ? 0x0a : 0x61 + (k % 26),
        );
        const expected = reference(chunk, 0, classes);
        expect(expected.length).toBeGreaterThan(length / 4);
        expect(listed(wasm, chunk, 0, 64)).toEqual(expected);
      }
    }
  });
});

describe('the WebAssembly run copier', () => {
  /** What `compact` must give: the run's characters, where it stops, and its stretches. */
  function reference(chunk: Uint8Array, from: number, classes: Uint8Array) {
    const chars: number[] = [];
    const stretches: [number, number][] = [];
    let stretch = from;
    let inRow = 0;
    let stop = chunk.length;
    for (let i = from; i < chunk.length; i++) {
      const kind = classes[chunk[i]!];
      if (kind === 0) {
        if (i === stretch) stretches.push([chars.length, i]);
        chars.push(chunk[i]!);
        inRow = 0;
        continue;
      }
      if (kind === 2 || ++inRow === 3) {
        stop = i;
        break;
      }
      stretch = i + 1;
    }
    return { chars, stop, stretches };
  }

  it('copies a run without its line breaks and stops where it ends, for all 256 byte values', () => {
    const matcher = buildMatcher(patternsOfSecret(), 'wasm');
    const wasm = matcher.wasm!;
    const classes = matcher.wrapped!.byteClass;
    let checked = 0;
    for (let b = 0; b < 256; b++) {
      for (let at = 0; at < 50; at += 3) {
        // A run of characters and line breaks (two and three in a row too: 30-31 and 44-46) with
        // byte `b` at offset `at`; lengths from 40 to 56, so the vector and the byte loop meet it.
        const length = 40 + (at % 17);
        const run = Array.from({ length }, (_, k) =>
          k % 7 === 3 || k === 30 || (k >= 44 && k <= 46)
            ? 0x0a
            : k % 11 === 5
              ? 0x0d
              : 0x61 + (k % 26),
        );
        run[at] = b;
        const chunk = Uint8Array.from(run);
        for (const from of [0, 1, 5]) {
          wasm.load(chunk);
          expect(wasm.reserveRun(chunk.length - from)).toBe(true);
          const count = wasm.compact(from);
          const expected = reference(chunk, from, classes);
          expect(count).toBe(expected.chars.length);
          expect([...wasm.scratch(count)]).toEqual(expected.chars);
          expect(wasm.resume).toBe(expected.stop);
          const listed = Array.from({ length: wasm.segments }, (_, k) => [
            wasm.words[wasm.runStarts + k]!,
            wasm.words[wasm.runRaws + k]!,
          ]);
          expect(listed).toEqual(expected.stretches);
          checked++;
        }
      }
    }
    expect(checked).toBe(256 * 17 * 3);
    // The copy is output: scrub() (at end()) zeroes it with the chunk.
    expect(wasm.scratch(64).some((byte) => byte !== 0)).toBe(true);
    wasm.scrub();
    expect(wasm.scratch(64).every((byte) => byte === 0)).toBe(true);
  });
});

describe('the hex stretch the WebAssembly run copier reports', () => {
  const isHex = (byte: number) => /^[0-9a-fA-F]$/.test(String.fromCharCode(byte));

  /** The longest stretch of `chunk[from .. stop)` with no character other than a hex digit (the first of equals). */
  function reference(chunk: Uint8Array, from: number, stop: number, classes: Uint8Array) {
    let best: [number, number] = [from, from];
    let spanFrom = from;
    for (let i = from; i <= stop; i++) {
      const ends = i === stop || (classes[chunk[i]!] === 0 && !isHex(chunk[i]!));
      if (!ends) continue;
      if (i - spanFrom > best[1] - best[0]) best = [spanFrom, i];
      spanFrom = i + 1;
    }
    return best;
  }

  it('is the longest stretch of hex digits and line breaks, for all 256 byte values at each offset', () => {
    const matcher = buildMatcher(patternsOfSecret(), 'wasm');
    const wasm = matcher.wasm!;
    const classes = matcher.wrapped!.byteClass;
    let checked = 0;
    let split = 0;
    for (let b = 0; b < 256; b++) {
      for (let at = 0; at < 56; at += 3) {
        // Hex digits of both cases with single and double line breaks; `b` at `at`, a second
        // non-hex letter at 37 in some runs, so the longest stretch is before, between or after.
        const length = 40 + (at % 17);
        const run = Array.from({ length }, (_, k) =>
          k % 9 === 4 ? 0x0a : k % 13 === 6 ? 0x0d : '0123456789abcdefABCDEF'.charCodeAt(k % 22),
        );
        if (at % 2 === 0) run[37] = 0x67; // 'g'
        if (at < length) run[at] = b;
        const chunk = Uint8Array.from(run);
        for (const from of [0, 1, 5]) {
          wasm.load(chunk);
          expect(wasm.reserveRun(chunk.length - from)).toBe(true);
          wasm.compact(from);
          const [hexFrom, hexTo] = reference(chunk, from, wasm.resume, classes);
          expect([wasm.hexFrom, wasm.hexTo]).toEqual([hexFrom, hexTo]);
          if (hexFrom > from || hexTo < wasm.resume) split++;
          checked++;
        }
      }
    }
    expect(checked).toBe(256 * 19 * 3);
    // Many runs hold some other character, so the stretch is a part of the run.
    expect(split).toBeGreaterThan(checked / 3);
  });
});

describe('the WebAssembly line-break filter', () => {
  it('keeps exactly the breaks with no breaker byte beside them, for all 256 byte values', () => {
    const set = patternsOfSecret();
    const matcher = buildMatcher(set, 'wasm');
    const wasm = matcher.wasm!;
    const classes = matcher.wrapped!.byteClass;
    // Every byte value before and after a break, and breaks at the chunk's two ends.
    const bytes: number[] = [0x0a];
    for (let b = 0; b < 256; b++) bytes.push(0x20, b, 0x0a, 0x41, 0x20, 0x41, 0x0d, b, 0x20);
    bytes.push(0x41, 0x0d);
    const input = Uint8Array.from(bytes);
    const expected = (chunk: Uint8Array) => {
      const kept: number[] = [];
      chunk.forEach((byte, p) => {
        if (byte !== 0x0a && byte !== 0x0d) return;
        const before = p === 0 || classes[chunk[p - 1]!] !== 2;
        const after = p + 1 === chunk.length || classes[chunk[p + 1]!] !== 2;
        if (before && after) kept.push(p);
      });
      return kept;
    };
    // Every length mod 32, so each break is met by the vector loop and by the byte loop.
    for (let cut = 0; cut <= 40; cut++) {
      const chunk = input.subarray(cut, input.length - cut);
      wasm.load(chunk);
      const listed: number[] = [];
      let from = 0;
      while (from < chunk.length) {
        const count = wasm.breaks(from);
        for (let k = 0; k < count; k++) listed.push(wasm.words[wasm.listA + k]!);
        from = wasm.resume;
      }
      expect(listed).toEqual(expected(chunk));
    }
  });
});

describe('runtimes without WebAssembly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  /** A fresh copy of the package's modules (the module is compiled once per copy), under the stubbed globals. */
  async function freshPackage() {
    vi.resetModules();
    const { createRedactor } = await import('../src/create-redactor.js');
    const { wasmAvailable: available } = await import('../src/wasm-scan.js');
    return { createRedactor, available };
  }

  const input = encoder.encode(`${'log line\n'.repeat(100)}token=${secret} b64=${base64}\n`);
  const expected = createRedactorWith({ secrets: [secret] }, 'js').redact(input);

  it('falls back to TypeScript where there is no WebAssembly global', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    const { createRedactor, available } = await freshPackage();
    expect(available()).toBe(false);
    expect(Buffer.from(createRedactor({ secrets: [secret] }).redact(input))).toEqual(
      Buffer.from(expected),
    );
  });

  it('falls back to TypeScript where compiling WebAssembly is refused (a CSP without wasm-unsafe-eval)', async () => {
    const real = WebAssembly;
    vi.stubGlobal('WebAssembly', {
      ...real,
      validate: real.validate,
      Module: class {
        constructor() {
          throw new real.CompileError('Refused to compile: wasm-unsafe-eval is not allowed');
        }
      },
    });
    const { createRedactor, available } = await freshPackage();
    expect(available()).toBe(false);
    expect(Buffer.from(createRedactor({ secrets: [secret] }).redact(input))).toEqual(
      Buffer.from(expected),
    );
  });
});

describe('runtimes that cannot allocate a module memory', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('falls back to TypeScript when creating the instance fails (as under `ulimit -v`)', () => {
    // Node reserves a large virtual range for each WebAssembly memory; with `ulimit -v 5000000`
    // `new WebAssembly.Memory()` throws a RangeError (checked by hand on Node 20).
    const real = WebAssembly;
    let refused = 0;
    vi.stubGlobal('WebAssembly', {
      validate: real.validate,
      Module: real.Module,
      Instance: class {
        constructor() {
          refused++;
          throw new RangeError(
            'WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory',
          );
        }
      },
    });
    const set = patternsOfSecret();
    expect(buildMatcher(set, 'auto').wasm).toBeUndefined();
    expect(refused).toBe(1);
    expect(() => buildMatcher(set, 'wasm')).toThrow(/not available/);
  });
});

describe('the WebAssembly memory', () => {
  it('holds the one copy of the skip tables, read in place by both loops, also after it grows', () => {
    const set = patternsOfSecret();
    const matcher = buildMatcher(set, 'wasm');
    const scanner = matcher.scanners[0] as SkipSearch;
    expect(scanner).toBeInstanceOf(SkipSearch);
    expect(scanner.present.buffer).toBe(matcher.wasm!.memory.buffer);
    expect(scanner.shift.buffer).toBe(matcher.wasm!.memory.buffer);
    expect(scanner.present.some((word) => word !== 0)).toBe(true);
    const before = matcher.wasm!.memory.buffer.byteLength;
    // A 1 MiB chunk makes the memory grow, which replaces its buffer.
    const input = encoder.encode(`${'output line\n'.repeat(90_000)}${secret}\n`);
    const session = new RedactionSession(matcher, encoder.encode('[R]'), new RedactionCounter());
    const out = Buffer.concat([session.push(input), session.end()]);
    expect(matcher.wasm!.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(scanner.present.buffer).toBe(matcher.wasm!.memory.buffer);
    expect(out.includes(secret)).toBe(false);
    expect(out.subarray(-4).toString()).toBe('[R]\n');
    // The TypeScript loop reads the same tables and finds the same.
    const found = new MatchList();
    scanner.scan(encoder.encode(`xx ${secret} yy`), 0, found);
    expect(found.count).toBe(1);
  });

  it("searches a long wrapped run in the module, with the run search's tables there too", () => {
    const set = patternsOfSecret();
    const matcher = buildMatcher(set, 'wasm');
    const body = matcher.wrapped!.body!;
    expect(body.wasmTable).toBeGreaterThanOrEqual(0);
    expect(body.present.buffer).toBe(matcher.wasm!.memory.buffer);
    // A dump long enough to be copied without its line breaks, the secret's base64 across breaks in it.
    const filler = Buffer.alloc(3000, 7).toString('base64');
    const encoded = Buffer.from(`..${secret}..`).toString('base64');
    const dump = `${filler}${encoded}${filler}`.replace(/(.{64})/g, '$1\n');
    const skip = vi.spyOn(matcher.wasm!, 'skip');
    const session = new RedactionSession(matcher, encoder.encode('[R]'), new RedactionCounter());
    const out = Buffer.concat([session.push(encoder.encode(`log\n${dump}\nend\n`)), session.end()]);
    // A search over the scratch (its first argument, inScratch).
    expect(skip.mock.calls.some(([inScratch]) => inScratch)).toBe(true);
    expect(out.toString()).toContain('[R]');
    expect(out.toString().replaceAll('\n', '')).not.toContain(encoded.slice(4, -4));
  });

  it('hands out output arrays that own their whole buffer and hold only output', () => {
    const redactor = createRedactorWith({ secrets: [secret] }, 'wasm');
    const input = encoder.encode(`${'x'.repeat(70_000)} ${secret} ${'y'.repeat(70_000)}`);
    const stream = redactor.createStream();
    const out = stream.push(input);
    expect(out.length).toBeGreaterThan(65_536);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length);
    expect(Buffer.concat([out, stream.end()]).toString()).toBe(
      `${'x'.repeat(70_000)} [REDACTED] ${'y'.repeat(70_000)}`,
    );
  });

  it('reads a chunk with the TypeScript engine when the memory cannot grow to hold it', () => {
    const set = patternsOfSecret();
    const matcher = buildMatcher(set, 'wasm');
    const memory = matcher.wasm!.memory;
    let refused = 0;
    memory.grow = () => {
      refused++;
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    const input = encoder.encode(
      `${'a line of output\n'.repeat(20_000)}${secret}\n${base64.slice(0, 30)}\n${base64.slice(30)}\n`,
    );
    expect(input.length).toBeGreaterThan(memory.buffer.byteLength);
    const session = new RedactionSession(
      matcher,
      encoder.encode('[REDACTED]'),
      new RedactionCounter(),
    );
    const out = Buffer.concat([session.push(input), session.end()]);
    expect(refused).toBeGreaterThan(0);
    const js = createRedactorWith({ secrets: [secret] }, 'js').redact(input);
    expect(out.equals(Buffer.from(js))).toBe(true);
    expect(session.stats.total).toBe(2);
  });
});
