import { describe, expect, it } from 'vitest';
import { fastAgentRequest } from './agent-fast.js';

describe('fastAgentRequest', () => {
  it('takes agent with --policy, --confinement and --dry-run in any order before --, and the argv after it', () => {
    expect(fastAgentRequest(['agent', '--', 'claude'])).toEqual({
      rawArgs: ['--', 'claude'],
      policy: undefined,
      confinement: undefined,
      dryRun: false,
    });
    expect(
      fastAgentRequest([
        'agent',
        '--dry-run',
        '--confinement=unshare',
        '--policy',
        'a/ironrun.yml',
        '--',
        'cursor',
        '.',
      ]),
    ).toEqual({
      rawArgs: [
        '--dry-run',
        '--confinement=unshare',
        '--policy',
        'a/ironrun.yml',
        '--',
        'cursor',
        '.',
      ],
      policy: 'a/ironrun.yml',
      confinement: 'unshare',
      dryRun: true,
    });
    // After `--`, --help and -- are the agent's arguments, not ironrun's.
    expect(fastAgentRequest(['agent', '--', 'claude', '--help', '--'])?.rawArgs).toEqual([
      '--',
      'claude',
      '--help',
      '--',
    ]);
    // A confinement name is checked by the start itself (the same check as the full command).
    expect(fastAgentRequest(['agent', '--confinement', 'bogus', '--', 'x'])?.confinement).toBe(
      'bogus',
    );
  });

  it('hands every other command line to the full CLI', () => {
    const others = [
      [],
      ['run', '--', 'x'],
      ['agent'],
      ['agent', '--'],
      ['agent', 'claude'],
      ['agent', '--help', '--', 'claude'],
      ['agent', '-h', '--', 'claude'],
      ['agent', '--bogus', '--', 'claude'],
      ['agent', '--no-dry-run', '--', 'claude'],
      ['agent', '--dry-run', '--dry-run', '--', 'claude'],
      ['agent', '--dry-run=true', '--', 'claude'],
      ['agent', 'stray', '--', 'claude'],
      ['agent', '--policy', '--', 'claude'],
      ['agent', '--policy', '--dry-run', '--', 'claude'],
      ['agent', '--policy=', '--', 'claude'],
      ['agent', '--policy', 'a', '--policy', 'b', '--', 'claude'],
      ['agent', '--confinement', 'unshare', '--confinement=bubblewrap', '--', 'claude'],
      ['agent', '--policyx=a', '--', 'claude'],
      ['--json', 'agent', '--', 'claude'],
    ];
    for (const argv of others) expect(fastAgentRequest(argv), argv.join(' ')).toBeUndefined();
  });
});
