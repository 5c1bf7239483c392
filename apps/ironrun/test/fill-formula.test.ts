import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { fillFormula } from '../scripts/fill-formula.mjs';

const script = fileURLToPath(new URL('../scripts/fill-formula.mjs', import.meta.url));
const template = readFileSync(
  fileURLToPath(new URL('../formula/ironrun.rb.template', import.meta.url)),
  'utf8',
);
const targets = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64'];

describe('fillFormula', () => {
  it('refuses a template placeholder it has no value for, naming it', () => {
    expect(() => fillFormula(template, { version: '1.2.3' })).toThrow(/sha256_linux_x64/);
  });
});

describe('scripts/fill-formula.mjs', () => {
  it('writes the URL and SHA-256 of each release artifact into the formula', async () => {
    const artifacts = await testdir(
      Object.fromEntries(targets.map((t) => [`ironrun-${t}`, `binary for ${t}\n`])),
    );
    try {
      const formula = execFileSync(
        process.execPath,
        [
          script,
          '--version',
          '1.2.3',
          '--tag',
          '@ironrun/cli@1.2.3',
          '--repository',
          'someone/ironrun',
          '--artifacts',
          artifacts.dir,
        ],
        { encoding: 'utf8' },
      );
      expect(formula).not.toMatch(/\{\{|\}\}/);
      expect(formula).toMatch(/version "1\.2\.3"/);
      for (const target of targets) {
        const sha = createHash('sha256').update(`binary for ${target}\n`).digest('hex');
        const url = `https://github.com/someone/ironrun/releases/download/%40ironrun%2Fcli%401.2.3/ironrun-${target}`;
        // Each artifact's sha256 line follows its own url line.
        expect(formula).toContain(`url "${url}"\n      sha256 "${sha}"`);
      }
    } finally {
      await artifacts.cleanup();
    }
  });

  it('fails when an artifact is missing rather than writing a formula without it', async () => {
    const artifacts = await testdir({ 'ironrun-linux-x64': 'x' });
    try {
      const run = () =>
        execFileSync(
          process.execPath,
          [
            script,
            '--version',
            '1',
            '--tag',
            'v1',
            '--repository',
            'a/b',
            '--artifacts',
            artifacts.dir,
          ],
          { encoding: 'utf8', stdio: 'pipe' },
        );
      expect(run).toThrow(/missing artifact .*ironrun-darwin-arm64/);
    } finally {
      await artifacts.cleanup();
    }
  });
});
