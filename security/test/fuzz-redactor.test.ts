import { createRedactor } from '@ironrun/redactor';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzCaseArbitrary, fuzzRuns } from '../src/fuzz-case.js';
import { leakScanner } from '../src/secret-forms.js';
import { recordCount } from './count-record.js';
// @ts-expect-error: a plain .mjs fixture without types
import { caseSegment, encodeCase } from './fixtures/fuzz-emit.mjs';

const casesPerRun = 20;
const runs = Math.ceil(fuzzRuns() / casesPerRun);
let checked = 0;

describe('createRedactor (fuzzed with sandbox-like chunking)', () => {
  it(
    `leaves no secret and no encoded form in ${runs * casesPerRun} generated outputs`,
    () => {
      fc.assert(
        fc.property(
          fc.array(fuzzCaseArbitrary, { minLength: casesPerRun, maxLength: casesPerRun }),
          fc.array(fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 4096 })), {
            minLength: 1,
            maxLength: 8,
          }),
          (cases, chunks) => {
            const redactor = createRedactor({ secrets: cases.map((fuzzCase) => fuzzCase.secret) });
            const input = Buffer.concat(
              cases.map((fuzzCase, index) => encodeCase(index, fuzzCase, fuzzCase.secret)),
            );
            const stream = redactor.createStream();
            const parts: Uint8Array[] = [];
            for (let at = 0, turn = 0; at < input.length; turn++) {
              const size = chunks[turn % chunks.length] as number;
              parts.push(stream.push(input.subarray(at, at + size)));
              at += size;
            }
            parts.push(stream.end());
            const output = Buffer.concat(parts).toString('utf8');
            cases.forEach((fuzzCase, index) => {
              const segment: string | undefined = caseSegment(output, index);
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
          },
        ),
        { numRuns: runs },
      );
    },
    Math.max(180_000, runs * 5),
  );

  afterAll(() => recordCount('fuzz-redactor', checked));
});
