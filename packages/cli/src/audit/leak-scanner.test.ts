import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedactor } from '@ironrun/core';
import { describe, expect, it } from 'vitest';
import { decodedViews, LeakScanner } from './leak-scanner.js';

// One line with every character JSON escapes differently: a quote, a
// backslash, a slash, a tab and non-ASCII. (A multi-line value would also be
// found line by line, which would hide what these tests are about.)
const secret = 'sk_live_"q"\\b/é\tZ9x8c7v6b5n4';
const plain = 'tok_live_plainvalue_0123456789';

function scanner(values: readonly string[]) {
  return new LeakScanner(
    createRedactor,
    values.map((value, index) => ({
      secret: { ref: `envfile://K${index}`, value, usedBy: [`c.K${index}`] },
      redactor: createRedactor({ secrets: [value] }),
    })),
  );
}

const leaks = (line: string, values: readonly string[] = [secret]) =>
  scanner(values).refsInLine(line);

/** `value` JSON-escaped `depth` times, as JSON inside JSON text stores it. */
function escaped(value: string, depth: number): string {
  let text = value;
  for (let i = 0; i < depth; i++) text = JSON.stringify(text).slice(1, -1);
  return text;
}

/** Every character as `\uXXXX`, as some JSON writers store text. */
function unicodeEscaped(value: string): string {
  return [...value]
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
}

describe('LeakScanner', () => {
  it.each([0, 1, 2, 3, 4])('finds a value escaped %i times inside a JSONL line', (depth) => {
    const line = `{"type":"tool_result","content":"before ${escaped(secret, depth)} after"}`;
    expect(leaks(line)).toEqual(['envfile://K0']);
  });

  it('finds a value written as \\u escapes, once and inside JSON text', () => {
    expect(leaks(`{"text":"${unicodeEscaped(secret)}"}`)).toEqual(['envfile://K0']);
    expect(leaks(`{"text":"${escaped(unicodeEscaped(plain), 1)}"}`, [plain])).toEqual([
      'envfile://K0',
    ]);
  });

  it('finds a value in base64 of a JSON document, and of JSON text in JSON', () => {
    const document = JSON.stringify({ env: { KEY: secret } });
    expect(leaks(`{"data":"${Buffer.from(document).toString('base64')}"}`)).toEqual([
      'envfile://K0',
    ]);
    const nested = JSON.stringify({ result: JSON.stringify({ env: { KEY: secret } }) });
    expect(leaks(`x ${Buffer.from(nested).toString('base64url')} y`)).toEqual(['envfile://K0']);
  });

  it('finds a Codex function output: a JSON string holding a JSON result', () => {
    const output = JSON.stringify({ output: JSON.stringify({ stdout: `key=${secret}\n` }) });
    const line = JSON.stringify({
      type: 'response_item',
      payload: { type: 'function_call_output', output },
    });
    expect(leaks(line)).toEqual(['envfile://K0']);
  });

  it('reports nothing for a line without the value, in any form', () => {
    const line = JSON.stringify({ content: escaped('sk_live_"q"\\b/é\tZ9x8c7v6b5nX', 3) });
    expect(leaks(line)).toEqual([]);
  });

  it('names the reference, never the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ironrun-audit-'));
    try {
      await writeFile(join(dir, 't.jsonl'), `"${escaped(secret, 2)}"\n`);
      const findings = await scanner([secret]).scanFile(join(dir, 't.jsonl'));
      expect(findings.map((finding) => finding.ref)).toEqual(['envfile://K0']);
      expect(JSON.stringify(findings)).not.toContain('Z9x8c7v6b5n4');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('decodedViews', () => {
  it('keeps the line first and stops at 16 forms', () => {
    const views = decodedViews(escaped('a"b', 18));
    expect(views[0]).toBe(escaped('a"b', 18));
    expect(views.length).toBe(16);
  });
});
