import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../../../examples/basic/demo.mjs', import.meta.url));

describe('examples/basic (the first command of the root README)', () => {
  it('trusts the example policy and runs its deploy command with the key redacted, raw and base64', () => {
    const result = spawnSync(process.execPath, [demo], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(result.stdout).toMatch(/using key \[REDACTED\]/);
    expect(result.stdout).toMatch(/key as base64: \[REDACTED\]/);
    expect(result.stdout).toMatch(/the key appears nowhere in the output/);
    expect(result.status).toBe(0);
  });
});
