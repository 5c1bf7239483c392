import { rename, writeFile } from 'node:fs/promises';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { compare, maxHashedBytes, snapshot } from './pin-state.js';

const project = useTestdir();

describe('snapshot', () => {
  it('fingerprints a file too large to hash, and sees it rewritten in place or swapped', async () => {
    const dir = await project({});
    const big = dir.path('interpreter');
    const bytes = Buffer.alloc(maxHashedBytes + 1, 1);
    await writeFile(big, bytes);
    const trusted = await snapshot(big);
    expect(trusted).toMatchObject({ kind: 'file', fingerprint: expect.any(String) });
    expect('sha256' in trusted).toBe(false);
    expect(compare(trusted, await snapshot(big))).toEqual([]);

    bytes[0] = 2; // same size, other content, written in place
    await writeFile(big, bytes);
    expect(compare(trusted, await snapshot(big))).toEqual([{ path: big, reason: 'modified' }]);

    const again = await snapshot(big);
    await writeFile(dir.path('other'), bytes);
    await rename(dir.path('other'), big); // the same bytes, another file
    expect(compare(again, await snapshot(big))).toEqual([{ path: big, reason: 'modified' }]);
  });

  it('hashes a file up to the limit', async () => {
    const dir = await project({ small: 'echo hi\n' });
    expect(await snapshot(dir.path('small'))).toMatchObject({ sha256: expect.any(String) });
  });
});
