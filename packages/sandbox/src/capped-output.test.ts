import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CappedOutput } from './capped-output.js';

async function drain(output: CappedOutput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of output.readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('CappedOutput', () => {
  it('keeps exactly the first maxBytes bytes and counts every byte, whatever the chunking (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 20 }),
        fc.nat(300),
        async (chunks, max) => {
          const output = new CappedOutput(max);
          for (const chunk of chunks) output.push(Buffer.from(chunk));
          output.end();
          const all = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
          expect(await drain(output)).toEqual(all.subarray(0, max));
          expect(output.totalBytes).toBe(all.length);
          expect(output.truncated).toBe(all.length > max);
        },
      ),
    );
  });

  it('ignores bytes after the end', async () => {
    const output = new CappedOutput(10);
    output.push(Buffer.from('abc'));
    output.end();
    output.push(Buffer.from('def'));
    expect((await drain(output)).toString()).toBe('abc');
    expect(output.totalBytes).toBe(3);
  });
});
