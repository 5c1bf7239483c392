import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/create-redactor.js';
import { isRedactorError } from '../src/redactor-error.js';

const secret = 'xoxb-7342-KfQ9mWz2LrT8vNcY4pHs';
const base64 = Buffer.from(secret).toString('base64');

async function collect(readable: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  await pipeline(
    readable,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(parts).toString();
}

describe('Redactor.nodeTransform', () => {
  it("redacts a child process's output that prints a secret in pieces", async () => {
    // The child writes the secret a few bytes at a time, with pauses, so it arrives in many chunks.
    const script = `
      const parts = process.argv[1].match(/.{1,3}/g);
      let i = 0;
      const next = () => {
        if (i === parts.length) { process.stdout.write(' done ' + process.argv[2] + '\\n'); return; }
        process.stdout.write(parts[i++]);
        setTimeout(next, 2);
      };
      process.stdout.write('token=');
      next();`;
    const child = spawn(process.execPath, ['-e', script, secret, base64], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const redactor = createRedactor({ secrets: [secret] });
    const output = await collect(child.stdout.pipe(redactor.nodeTransform()));
    expect(output).toBe('token=[REDACTED] done [REDACTED]\n');
    expect(redactor.stats.total).toBe(2);
  });

  it('flushes a held tail that never became a secret when the input ends', async () => {
    const redactor = createRedactor({ secrets: [secret] });
    const input = Readable.from([Buffer.from('a'), Buffer.from(secret.slice(0, 12))]);
    expect(await collect(input.pipe(redactor.nodeTransform()))).toBe(`a${secret.slice(0, 12)}`);
  });

  it('accepts strings written to it, as UTF-8', async () => {
    const transform = createRedactor({ secrets: [secret] }).nodeTransform();
    const done = collect(transform);
    transform.write(`é ${secret.slice(0, 4)}`);
    transform.end(`${secret.slice(4)} é`);
    expect(await done).toBe('é [REDACTED] é');
  });
});

describe('Redactor.transform', () => {
  it('redacts a WHATWG byte stream cut at every byte', async () => {
    const input = new TextEncoder().encode(`a ${secret} b ${encodeURIComponent(secret)} c`);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < input.length; i++) controller.enqueue(input.subarray(i, i + 1));
        controller.close();
      },
    });
    const redactor = createRedactor({ secrets: [secret] });
    const output = await new Response(source.pipeThrough(redactor.transform())).text();
    expect(output).toBe('a [REDACTED] b [REDACTED] c');
  });

  it('errors the stream on a chunk that is not bytes, without showing any secret', async () => {
    const transform = createRedactor({ secrets: [secret] }).transform();
    const writer = transform.writable.getWriter();
    const reading = new Response(transform.readable).text();
    await expect(writer.write(secret as never)).rejects.toSatisfy(
      (error) =>
        isRedactorError(error) &&
        error.code === 'INVALID_INPUT' &&
        !error.message.includes(secret) &&
        !String(error.stack).includes(secret),
    );
    await expect(reading).rejects.toBeDefined();
  });
});

describe('@ironrun/redactor', () => {
  it('loads no Node.js module when imported, so it runs in any JavaScript runtime', () => {
    const dir = new URL('../src/', import.meta.url);
    const sources = readdirSync(dir).filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const name of sources) {
      const code = readFileSync(new URL(name, dir), 'utf8');
      const imports = code.match(/^import [^;]+;/gm) ?? [];
      for (const line of imports) {
        if (line.includes("'node:")) expect(line).toMatch(/^import type /);
      }
    }
  });
});
