import { describe, expect, it } from 'vitest';
import type { Outcome } from '../src/attack-case.js';
import {
  actionBuilt,
  cliBuilt,
  runThroughAction,
  runThroughCli,
  runThroughCliLive,
  runThroughMcp,
} from '../src/frontends.js';
import { expectNoLeak, type PreparedCase, prepareCase, strayProcesses } from '../src/run-attack.js';
import { leakScanner } from '../src/secret-forms.js';
import { namedSecrets } from '../src/test-secrets.js';
import { attackCase, extraSecrets } from './attack-cases.js';
import { recordCount } from './count-record.js';

const isLinux = process.platform === 'linux';

const mcpCases = [
  'prints the secret raw on stdout',
  'prints the secret on stderr',
  'prints the secret base64-encoded at alignment 1',
  'prints a PEM private key line by line with other text between',
  'floods stdout with 32 MiB of output full of secrets',
  'the command reads stdin hoping for input from the agent',
  "LD_PRELOAD in the caller's environment",
  "the agent's own token in the caller's environment",
  'sends the secret to a TCP listener on 127.0.0.1 under no_network',
  'a grandchild that outlives the TTL via setsid',
  "forges the init's report with the secret as exit code and signal",
  "writes the secret as a bare line onto the init's report channel",
  'argv injection: -e with code for an interpreter',
  'an unknown command id',
  'a pinned script edited after trust',
  'a symlink swapped in for a pinned script',
  'a secret shorter than the minimum length',
  'a confirm: true command with no person to ask',
];

const cliCases = [
  'prints the secret raw on stdout',
  'prints the secret on stderr',
  'splits the secret across two writes at every offset',
  'prints the secret hex-encoded in lower case',
  'dumps its whole environment as JSON',
  "PATH hijack: a fake sh earlier on the caller's PATH",
  "LD_PRELOAD in the caller's environment",
  "BASH_ENV in the caller's environment",
  "the agent's own token in the caller's environment",
  'a command that never exits',
  "forges the init's report with the secret as exit code and signal",
  "forges the init's report to say exit 0 for a command that failed",
  "writes the secret as a bare line onto the init's report channel",
  'option smuggling inside a value with a space',
  'a policy no person trusted',
  'a pinned script edited after trust',
  'a secret shorter than the minimum length',
  'a confirm: true command with no person to ask',
];

const actionCases = [
  'prints the secret raw on stdout',
  'prints the secret JSON-escaped inside a JSON document',
  'prints a PEM private key whole',
  'dumps its whole environment as JSON',
  'sends the secret to a TCP listener on 127.0.0.1 under no_network',
  'a command that never exits',
  'argv injection: --output= pointing into the project',
  'an unknown command id',
  'a pinned script edited after trust',
  'a symlink swapped in for a pinned script',
];

function frontendSuite(
  title: string,
  kind: string,
  names: string[],
  built: boolean,
  run: (prepared: PreparedCase) => Promise<Outcome>,
) {
  describe.skipIf(!built)(title, () => {
    for (const name of names) {
      const attack = attackCase(name);
      it.skipIf(attack.linuxOnly === true && !isLinux)(name, async () => {
        const prepared = await prepareCase(attack);
        try {
          const outcome = await run(prepared);
          expectNoLeak(outcome, extraSecrets);
          await attack.expect(outcome);
        } finally {
          await strayProcesses(prepared.context.token, 0);
          await prepared.dispose();
        }
      });
    }
    it('counts its cases', () => {
      recordCount(kind, names.length);
      expect(names.length).toBeGreaterThan(0);
    });
  });
}

describe.concurrent('frontends under attack', () => {
  frontendSuite('the MCP server (stdio, SDK client)', 'mcp', mcpCases, true, runThroughMcp);
  frontendSuite('ironrun run --json', 'cli', cliCases, cliBuilt, runThroughCli);
  frontendSuite('the bundled GitHub Action', 'action', actionCases, actionBuilt, runThroughAction);

  describe.skipIf(!cliBuilt)('ironrun run with live output', () => {
    for (const name of [
      'prints the secret raw on stdout',
      'prints the secret on stderr',
      'a PEM key line by line',
    ]) {
      const attack =
        name === 'a PEM key line by line'
          ? attackCase('prints a PEM private key line by line with other text between')
          : attackCase(name);
      it(`${attack.name} (what the terminal shows)`, async () => {
        const prepared = await prepareCase(attack);
        try {
          const shown = await runThroughCliLive(prepared);
          const scanner = leakScanner(namedSecrets(extraSecrets));
          expect(
            scanner.scan(`${shown.stdout}\n${shown.stderr}`),
            'secret values on the terminal',
          ).toEqual([]);
          expect(shown.code).toBe(0);
          expect(`${shown.stdout}${shown.stderr}`).toContain('[REDACTED]');
        } finally {
          await prepared.dispose();
        }
      });
    }
  });
});
