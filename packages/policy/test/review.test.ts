import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinProviderReferences, type TestDir, testdir } from '@ironrun/test-utils';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { diffLines } from '../src/line-diff.js';
import { planPins } from '../src/pin-plan.js';
import { reviewPolicy } from '../src/review-policy.js';
import { reviewPolicyFile } from '../src/review-policy-file.js';
import { escapeForReview, unescapeReviewText } from '../src/review-text.js';
import { trust } from '../src/trust.js';
import { parsePolicy } from '../src/validate-policy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

// Every field a command can have, with a hidden character in each string the
// agent controls: RLO (U+202E), zero-width space (U+200B), ESC, a Cyrillic а.
const everyField = `version: 1
provider:
  name: envfile
  path: "/home/me/secrets\\u200b.env"
commands:
  - id: deploy
    description: "deploy \\e[2Jnow"
    argv: [node, "scripts/dep\\u202eloy.js", --config=conf/а.json]
    cwd: app
    path: "/opt/tools/bin:/usr/bin"
    env:
      STRIPE: envfile://STRIPE_KEY
      MODE: "prod\\u200b"
      PYTHONPATH: /opt/lib
    allow_loader_env: [PYTHONPATH]
    allow: [/usr/bin/env]
    write: ["build/cache\u200b", /var/cache/app]
    pin: [lib/shared.js]
    args: { pattern: "[a-z]+", max: 3, allow_options: true }
    confirm: true
    ttl: 30s
    no_network: true
    max_output: 1KiB
`;

function allTexts(review: ReturnType<typeof reviewPolicy>): string[] {
  return [
    review.provider.name.text,
    ...review.provider.options.map((option) => option.text),
    ...review.commands.flatMap((command) =>
      command.fields.flatMap((field) => field.values.map((value) => `${field.key}: ${value.text}`)),
    ),
  ];
}

describe('reviewPolicy', () => {
  it('shows every field of a command, escaped, and flags the hidden characters', () => {
    const policy = parsePolicy(everyField, {
      providers: builtinProviderReferences,
      filename: '/srv/app/ironrun.yml',
    });
    const review = reviewPolicy(policy);
    const texts = allTexts(review);
    for (const expected of [
      'envfile',
      'path="/home/me/secrets\\u{200b}.env"',
      'description: deploy \\u{1b}[2Jnow',
      'argv: node',
      'argv: scripts/dep\\u{202e}loy.js',
      'argv: --config=conf/а.json',
      'cwd: /srv/app/app',
      'path: /opt/tools/bin',
      'path: /usr/bin',
      'env: STRIPE=envfile://STRIPE_KEY',
      'env: MODE=prod\\u{200b}',
      'env: PYTHONPATH=/opt/lib',
      'allowLoaderEnv: PYTHONPATH',
      'allow: /usr/bin/env',
      'write: /srv/app/build/cache\\u{200b}',
      'write: /var/cache/app',
      'pin: lib/shared.js',
      'args: pattern=[a-z]+',
      'args: max=3',
      'args: allow_options=true',
      'confirm: true',
      'ttlMs: 30000',
      'noNetwork: true',
      'maxOutputBytes: 1024',
    ]) {
      expect(texts).toContain(expected);
    }
    // No raw hidden character anywhere in what would be printed.
    expect(JSON.stringify(review)).not.toMatch(/[\u202e\u200b\u001b]/);
    const command = review.commands[0]!;
    expect(command.flagged).toBe(true);
    const argv = command.fields.find((field) => field.key === 'argv')!;
    expect(argv.values.map((value) => value.flags)).toEqual([[], ['bidi'], ['non-ascii']]);
    expect(command.env.find((entry) => entry.name.text === 'PYTHONPATH')?.loader).toEqual(
      expect.any(String),
    );
    expect(command.env.find((entry) => entry.name.text === 'STRIPE')?.kind).toBe('secret');
    expect(review.flagged).toBe(true);
  });

  it('shows a field it does not know yet (write:, limits:, isolation: added later)', () => {
    const policy = parsePolicy(everyField, {
      providers: builtinProviderReferences,
      filename: '/srv/app/ironrun.yml',
    });
    (policy.commands[0] as unknown as Record<string, unknown>).isolation = 'best-effort\u202e';
    const texts = allTexts(reviewPolicy(policy));
    expect(texts).toContain('isolation: best-effort\\u{202e}');
  });

  it('shows a diff against the trusted text and which commands changed', async () => {
    const project: TestDir = await testdir({
      'ironrun.yml':
        'version: 1\nprovider: envfile\ncommands:\n  - { id: a, argv: [./a.sh] }\n  - { id: b, argv: [./b.sh] }\n',
      'a.sh': 'echo a\n',
      'b.sh': 'echo b\n',
    });
    const config = await testdir();
    cleanups.push(project.cleanup, config.cleanup);
    const configDir = join(config.dir, 'ironrun');
    expect(
      (
        await reviewPolicyFile(project.path('ironrun.yml'), {
          configDir,
          providers: builtinProviderReferences,
        })
      ).diff,
    ).toBeUndefined();
    await trust(project.path('ironrun.yml'), { configDir, providers: builtinProviderReferences });
    await writeFile(
      project.path('ironrun.yml'),
      'version: 1\nprovider: envfile\ncommands:\n  - { id: a, argv: [./a.sh, "--x\u200b"] }\n  - { id: c, argv: [./b.sh] }\n',
    );
    const review = await reviewPolicyFile(project.path('ironrun.yml'), {
      configDir,
      providers: builtinProviderReferences,
    });
    expect(
      review.diff?.filter((line) => line.op !== ' ').map((line) => `${line.op}${line.line.text}`),
    ).toEqual([
      '-  - { id: a, argv: [./a.sh] }',
      '-  - { id: b, argv: [./b.sh] }',
      '+  - { id: a, argv: [./a.sh, "--x\\u{200b}"] }',
      '+  - { id: c, argv: [./b.sh] }',
    ]);
    expect(review.commands.map((command) => [command.id, command.change])).toEqual([
      ['a', 'changed'],
      ['c', 'new'],
    ]);
    expect(review.removed).toEqual(['b']);
    expect(review.commands[0]!.pins.map((pin) => pin.path.text)).toContain(project.path('a.sh'));
  });

  it('lists what it cannot pin precisely', async () => {
    const policy = parsePolicy(
      'version: 1\nprovider: envfile\ncommands:\n  - { id: a, argv: [node, -r, dotenv/config, x.js] }\n',
      { providers: builtinProviderReferences, filename: '/srv/app/ironrun.yml' },
    );
    const review = reviewPolicy(policy, { plan: await planPins(policy) });
    expect(review.commands[0]!.notes.map((note) => note.subject.text)).toContain(
      '-r dotenv/config',
    );
  });
});

describe('escapeForReview', () => {
  const risky =
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}\p{Bidi_Control}\p{Default_Ignorable_Code_Point}\p{M}]|[^\S ]/u;
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });
  const mixed = fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        'a',
        '\\',
        'u',
        '{',
        '}',
        '\u202e',
        '\u200b',
        '\u2066',
        '\u001b',
        '\n',
        '\u00a0',
        'а',
        '\u0301',
        '\ud800',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 30,
  });

  it('leaves no control, bidirectional or zero-width character unescaped', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mixed), (raw) => {
        expect(escapeForReview(raw).text).not.toMatch(risky);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective: the original comes back, so two different names never look the same', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mixed), fc.oneof(anyText, mixed), (a, b) => {
        expect(unescapeReviewText(escapeForReview(a).text)).toBe(a);
        if (a !== b) expect(escapeForReview(a).text).not.toBe(escapeForReview(b).text);
      }),
      { numRuns: 2000 },
    );
  });

  it('flags what it escaped', () => {
    expect(escapeForReview('a\u202eb')).toEqual({ text: 'a\\u{202e}b', flags: ['bidi'] });
    expect(escapeForReview('x\u200by').flags).toEqual(['invisible']);
    expect(escapeForReview('\u001b[2J').flags).toEqual(['control']);
    expect(escapeForReview('pаypal').flags).toEqual(['non-ascii']);
    expect(escapeForReview('plain\\u{41}')).toEqual({ text: 'plain\\\\u{41}', flags: [] });
  });
});

describe('diffLines', () => {
  it('keeps both texts: kept and removed lines give the old, kept and added the new', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', ''), { maxLength: 12 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const diff = diffLines(a.join('\n'), b.join('\n'));
        expect(diff.filter((d) => d.op !== '+').map((d) => d.line)).toEqual(
          a.join('\n').split('\n'),
        );
        expect(diff.filter((d) => d.op !== '-').map((d) => d.line)).toEqual(
          b.join('\n').split('\n'),
        );
      }),
    );
  });
});
