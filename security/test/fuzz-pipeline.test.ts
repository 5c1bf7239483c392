import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSealed } from '@ironrun/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createAttackProject } from '../src/attack-project.js';
import { fuzzCaseArbitrary, fuzzRuns } from '../src/fuzz-case.js';
import { leakScanner } from '../src/secret-forms.js';
import { recordCount } from './count-record.js';
// @ts-expect-error: a plain .mjs fixture without types
import { caseSegment } from './fixtures/fuzz-emit.mjs';

// One sealed process replays a whole batch of generated cases; a fifth of the fuzz budget goes
// through the whole pipeline (policy, trust, envfile provider, sandbox, redactor), the rest
// through the redactor alone (fuzz-redactor.test.ts).
const casesPerBatch = 1000;
const batches = Math.max(1, Math.ceil(fuzzRuns() / 5 / casesPerBatch));
let checked = 0;

describe('runSealed (fuzzed: one sealed process per batch of generated cases)', () => {
  it(
    `leaves no secret in ${batches} batches of ${casesPerBatch} generated cases`,
    async () => {
      const emitter = await readFile(
        join(import.meta.dirname, 'fixtures', 'fuzz-emit.mjs'),
        'utf8',
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fuzzCaseArbitrary, { minLength: casesPerBatch, maxLength: casesPerBatch }),
          async (cases) => {
            const secrets = Object.fromEntries(
              cases.map((fuzzCase, index) => [`S${index}`, fuzzCase.secret]),
            );
            const env = Object.fromEntries(
              cases.map((_, index) => [`S${index}`, `envfile://S${index}`]),
            );
            const project = await createAttackProject({
              secrets,
              files: {},
              policy: ({ secretsPath }) =>
                `version: 1\nprovider:\n  name: envfile\n  path: ${JSON.stringify(secretsPath)}\ncommands:\n  - ${JSON.stringify(
                  {
                    id: 'fuzz',
                    argv: [process.execPath, 'fuzz-emit.mjs', 'plan.json'],
                    env,
                    ttl: '60s',
                    max_output: '8MiB',
                  },
                )}\n`,
            });
            try {
              const plan = cases.map(({ secret: _secret, ...rest }) => rest);
              await project.project.write({
                'fuzz-emit.mjs': emitter,
                'plan.json': JSON.stringify({ cases: plan }),
              });
              await project.trust();
              const result = await runSealed({
                policy: project.policyPath,
                commandId: 'fuzz',
                providers: { envfile: () => import('@ironrun/providers-envfile') },
                configDir: project.configDir,
              });
              expect(result.exitCode).toBe(0);
              expect(result.truncated).toBe(false);
              cases.forEach((fuzzCase, index) => {
                const segment = caseSegment(
                  fuzzCase.stream === 'stderr' ? result.stderr : result.stdout,
                  index,
                );
                if (segment === undefined)
                  expect.fail(`case ${index}: its markers are missing or repeated`);
                const leaks = leakScanner([{ name: `case ${index}`, value: fuzzCase.secret }]).scan(
                  segment,
                );
                if (leaks.length > 0 || !segment.includes('[REDACTED]')) {
                  expect.fail(
                    `case ${index} (${fuzzCase.encoding}): ${leaks.join(', ') || 'nothing redacted'}`,
                  );
                }
                checked++;
              });
            } finally {
              await project.cleanup();
            }
          },
        ),
        { numRuns: batches, endOnFailure: true },
      );
    },
    batches * 15_000,
  );

  afterAll(() => recordCount('fuzz-pipeline', checked));
});
