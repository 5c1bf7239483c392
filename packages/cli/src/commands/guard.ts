import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { allCredentialVariables } from '../builtin-providers.js';
import type { CliIo } from '../cli-io.js';
import { policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { findPolicyFile } from '../find-policy.js';
import {
  decideGuard,
  type GuardRules,
  type HookInput,
  hookOutput,
  type ProtectedPath,
} from '../guard/guard-decision.js';

const maxInputBytes = 4 * 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxInputBytes) throw new Error('hook input larger than 4 MiB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface PolicyFacts {
  dir: string;
  envfiles: string[];
  sealedCommands: { id: string; argv: string[] }[];
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** What guard needs from the policy; `undefined` when there is none or it does not parse. */
async function policyFacts(policyPath: string | undefined): Promise<PolicyFacts | undefined> {
  if (policyPath === undefined) return undefined;
  try {
    const { parsePolicy } = await import('@ironrun/core');
    const text = await readFile(policyPath, 'utf8');
    const policy = parsePolicy(text, { filename: policyPath });
    const dir = policy.dir || dirname(policyPath);
    const envfiles: string[] = [];
    if (policy.provider.name === 'envfile') {
      const raw = policy.provider.options.path ?? policy.provider.options.file;
      if (typeof raw === 'string' && raw !== '') {
        const expanded = expandHome(raw);
        envfiles.push(isAbsolute(expanded) ? expanded : resolve(dir, expanded));
      }
    }
    const sealedCommands = policy.commands
      .filter((command) => Object.values(command.env).some((value) => value.kind === 'secret'))
      .map((command) => ({ id: command.id, argv: [...command.argv] }));
    return { dir, envfiles, sealedCommands };
  } catch {
    return undefined;
  }
}

/** Builds the {@link GuardRules} for one hook call from the policy, the config folder and the environment. */
export async function guardRules(
  input: HookInput,
  options: { policy?: string | undefined; env: Readonly<Record<string, string | undefined>> },
): Promise<GuardRules> {
  const cwd = typeof input.cwd === 'string' && isAbsolute(input.cwd) ? input.cwd : process.cwd();
  const policyPath =
    options.policy !== undefined && options.policy !== ''
      ? resolve(cwd, options.policy)
      : findPolicyFile(cwd);
  const facts = await policyFacts(policyPath);
  const protectedPaths: ProtectedPath[] = [
    {
      path: await ironrunConfigDir(),
      what: 'the ironrun config folder (policy trust)',
      directory: true,
    },
  ];
  for (const envfile of facts?.envfiles ?? []) {
    protectedPaths.push({
      path: envfile,
      what: 'the envfile holding the secrets',
      directory: false,
    });
  }
  const credentialVariables = allCredentialVariables();
  const credentialsPresent = Object.keys(options.env).filter(
    (name) =>
      options.env[name] !== undefined &&
      options.env[name] !== '' &&
      (credentialVariables.includes(name) || name.startsWith('OP_SESSION_')),
  );
  return {
    cwd,
    home: homedir(),
    vaultPrograms: ['op', 'doppler', 'infisical'],
    protectedPaths,
    credentialVariables,
    credentialsPresent,
    sealedCommands: facts?.sealedCommands ?? [],
    ...(facts === undefined ? {} : { policyDir: facts.dir }),
  };
}

/** `ironrun guard`: a Claude Code `PreToolUse` hook. */
export const guardCommand = defineCommand({
  meta: {
    name: 'guard',
    description:
      'Claude Code PreToolUse hook: reads the hook JSON on stdin and denies tool calls that would bypass the seal',
  },
  args: { policy: policyArg },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    let input: HookInput;
    try {
      const parsed: unknown = JSON.parse(await readStdin());
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('not an object');
      }
      input = parsed as HookInput;
    } catch {
      // Fail closed: a hook that cannot read its input must not let the call through.
      io.out(
        hookOutput({
          action: 'deny',
          reason:
            'ironrun guard: could not read the hook input (expected the PreToolUse JSON on stdin).',
        }),
      );
      return ExitCode.OK;
    }
    const rules = await guardRules(input, { policy: args.policy, env: io.env });
    io.out(hookOutput(decideGuard(input, rules)));
    return ExitCode.OK;
  },
});
