#!/usr/bin/env node
// Fills the Homebrew formula template with a release's version, tag and the
// SHA-256 of each binary artifact.
//
// usage: node scripts/fill-formula.mjs --version 0.1.0 --tag v0.1.0 --repository owner/ironrun \
//          --artifacts <dir holding ironrun-<os>-<arch>> [--out Formula/ironrun.rb]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const TARGETS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64'];

/** Returns the formula text for the given release facts and artifact hashes. */
export function fillFormula(template, facts) {
  const missing = [];
  const text = template.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (!(key in facts)) missing.push(key);
    return facts[key] ?? '';
  });
  if (missing.length)
    throw new Error(`fill-formula: no value for ${[...new Set(missing)].join(', ')}`);
  return text;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      version: { type: 'string' },
      tag: { type: 'string' },
      repository: { type: 'string' },
      artifacts: { type: 'string' },
      out: { type: 'string' },
    },
  });
  for (const key of ['version', 'tag', 'repository', 'artifacts']) {
    if (!values[key]) {
      console.error(`fill-formula: --${key} is required`);
      process.exit(2);
    }
  }
  // Changesets tags look like @ironrun/cli@1.2.3: encode them for the download URL.
  const facts = {
    version: values.version,
    tag: encodeURIComponent(values.tag),
    repository: values.repository,
  };
  for (const target of TARGETS) {
    const file = join(values.artifacts, `ironrun-${target}`);
    if (!existsSync(file)) {
      console.error(`fill-formula: missing artifact ${file}`);
      process.exit(1);
    }
    facts[`sha256_${target.replace('-', '_')}`] = createHash('sha256')
      .update(readFileSync(file))
      .digest('hex');
  }
  const template = readFileSync(
    join(import.meta.dirname, '..', 'formula', 'ironrun.rb.template'),
    'utf8',
  );
  const formula = fillFormula(template, facts);
  if (values.out) writeFileSync(values.out, formula);
  else process.stdout.write(formula);
}
