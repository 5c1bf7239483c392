import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { defineCommand } from 'citty';
import { isConfined } from '../agent/agent-confinement.js';
import { builtinProviders } from '../builtin-providers.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg, policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';
import { formatDuration } from '../format-duration.js';
import { confirmOnTerminal } from '../terminal-confirm.js';
import { printable } from '../terminal-style.js';

/** A third-party provider package as it will be pinned. */
interface ProviderPackagePins {
  name: string;
  dir: string;
  entry: string;
  /** Its files, each pinned by content. */
  files: string[];
  /** The paths that decided where it was found, pinned by kind (or as absent). */
  decidedBy: string[];
}

/**
 * The files of the policy's provider package, when it is not built in: that
 * code runs inside ironrun with the vault credentials and the secret values,
 * and the agent can write `node_modules`, so trust pins it like a script.
 */
async function providerPackagePins(
  name: string,
  projectDir: string,
): Promise<ProviderPackagePins | undefined> {
  if (Object.hasOwn(builtinProviders, name)) return undefined;
  const { providerPackageFiles, resolveProviderPackage } = await import('@ironrun/provider');
  const found = await resolveProviderPackage(name, { projectDir });
  return { ...found, files: await providerPackageFiles(found.dir) };
}

async function sha256(path: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return 'missing';
  }
}

/** `ironrun trust`. */
export const trustCommand = defineCommand({
  meta: {
    name: 'trust',
    description:
      'Pin the policy and the files its commands execute, after showing them; a person at a terminal only, never an agent',
  },
  args: {
    policy: policyArg,
    yes: {
      type: 'boolean',
      description: 'Trust without asking (for scripts a person runs; never let an agent pass it)',
    },
    json: jsonArg,
  },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const { errStyle } = io;
    if (isConfined(io.env, await ironrunConfigDir(io.env))) {
      throw new CliError(
        'CONFINED',
        'ironrun trust cannot run inside ironrun agent: trust is recorded by a person, outside, where the broker reads it.',
        {
          hints: ['Run `ironrun trust` in a terminal outside the agent, then ask the agent again.'],
        },
      );
    }
    const policyPath = resolvePolicyPath(args.policy, io.cwd);
    const { validatePolicyWithProviderSchemes } = await import('@ironrun/core');
    const validation = await validatePolicyWithProviderSchemes(policyPath, {
      providers: { ...builtinProviders },
    });
    if (validation.policy === undefined) throw validation.error;
    const { policy, schemes } = validation;
    const { checkTrust, pinnedFiles, trust } = await import('@ironrun/policy');
    const configDir = await ironrunConfigDir(io.env);
    const state = await checkTrust(policy.path, { configDir });
    const files = [...new Set([policy.path, ...pinnedFiles(policy)])];
    const pins = await Promise.all(
      files.map(async (path) => ({ path, sha256: await sha256(path) })),
    );
    const providerPackage = await providerPackagePins(policy.provider.name, policy.dir);
    const providerHashes = await Promise.all((providerPackage?.files ?? []).map(sha256));
    const providerSummary =
      providerPackage === undefined
        ? undefined
        : {
            name: providerPackage.name,
            dir: providerPackage.dir,
            entry: providerPackage.entry,
            files: providerPackage.files.length,
          };
    const rel = (path: string) => printable(relative(policy.dir, path) || path);

    if (state.status === 'trusted') {
      if (args.json)
        io.out(
          `${JSON.stringify({ policy: policy.path, status: 'already-trusted', files: pins, ...(providerSummary ? { provider_package: providerSummary } : {}) }, null, 2)}\n`,
        );
      else io.err(`${policy.path} is already trusted as it is now; nothing to do.\n`);
      return ExitCode.OK;
    }

    // What a person is about to vouch for, on stderr (stdout stays for --json).
    io.err(`${errStyle.bold(`Trusting ${printable(policy.path)}`)}\n`);
    if (state.status === 'changed') {
      io.err(`${errStyle.yellow('Changed since it was last trusted:')}\n`);
      for (const change of state.changed)
        io.err(`  ${change.reason.padEnd(8)} ${rel(change.path)}\n`);
      io.err(
        `  Review them (e.g. \`git diff -- ${state.changed.map((change) => rel(change.path)).join(' ')}\`).\n`,
      );
    } else {
      io.err('Never trusted before.\n');
    }
    io.err(`\nProvider: ${printable(policy.provider.name)}\nCommands:\n`);
    for (const command of policy.commands) {
      const secrets = Object.entries(command.env)
        .filter(([, value]) => value.kind === 'secret')
        .map(([name, value]) => printable(`${name}=${value.kind === 'secret' ? value.ref : ''}`));
      const flags = [
        `ttl ${formatDuration(command.ttlMs)}`,
        ...(command.noNetwork ? ['no network'] : []),
        ...(command.confirm ? ['confirm'] : []),
        ...(command.args
          ? [`extra args /${printable(command.args.pattern)}/ (max ${command.args.maxCount})`]
          : []),
      ];
      io.err(
        `  ${errStyle.bold(command.id)}  ${printable(JSON.stringify(command.argv))}  ${errStyle.dim(flags.join(', '))}\n`,
      );
      if (command.description) io.err(`      ${printable(command.description)}\n`);
      if (secrets.length > 0) io.err(`      secrets: ${secrets.join(', ')}\n`);
    }
    io.err('\nFiles pinned (their content must not change until the next trust):\n');
    for (const pin of pins) io.err(`  ${pin.sha256.slice(0, 12)}  ${rel(pin.path)}\n`);
    if (providerPackage !== undefined) {
      io.err(
        `Provider package pinned: ${printable(providerPackage.name)} (${printable(providerPackage.dir)}, ${providerPackage.files.length} file${providerPackage.files.length === 1 ? '' : 's'}, entry ${printable(relative(providerPackage.dir, providerPackage.entry))})\n`,
      );
      io.err(
        `  ${errStyle.dim('It runs inside ironrun with the vault credentials and the secrets: review it as you review a script. Its dependencies are not pinned.')}\n`,
      );
    }
    io.err(`Trust record: ${configDir}\n\n`);

    if (!args.yes) {
      const ok = await confirmOnTerminal(
        'Trust this policy? Only a person who reviewed it may answer. [y/N] ',
      ).catch((error: unknown) => {
        throw new CliError(
          'NO_TERMINAL',
          'ironrun trust needs a person at a terminal to confirm.',
          {
            cause: error,
            hints: [
              'Run it yourself in a terminal, or pass --yes in a script you run (never from an agent).',
            ],
          },
        );
      });
      if (!ok)
        throw new CliError('CONFIRM_DECLINED', 'Not trusted: the confirmation was declined.');
    }
    // The agent may have edited a file while the person was reading: trust only what was shown.
    const now = await Promise.all(
      files.map(async (path) => ({ path, sha256: await sha256(path) })),
    );
    const moved = now.filter((pin, index) => pin.sha256 !== pins[index]?.sha256);
    const providerNow = await providerPackagePins(policy.provider.name, policy.dir);
    if (providerPackage !== undefined && providerNow !== undefined) {
      const hashesNow = await Promise.all(providerNow.files.map(sha256));
      const same =
        providerNow.dir === providerPackage.dir &&
        providerNow.entry === providerPackage.entry &&
        providerNow.files.join('\0') === providerPackage.files.join('\0') &&
        hashesNow.every((hash, index) => hash === providerHashes[index]);
      if (!same) moved.push({ path: providerPackage.dir, sha256: '' });
    }
    if (moved.length > 0) {
      throw new CliError(
        'POLICY_CHANGED',
        `Not trusted: ${moved.map((pin) => rel(pin.path)).join(', ')} changed while you were reviewing.`,
        {
          hints: ['Review again and rerun `ironrun trust`.'],
        },
      );
    }
    await trust(policy.path, {
      configDir,
      schemes,
      extraPins:
        providerPackage === undefined
          ? []
          : [...providerPackage.files, ...providerPackage.decidedBy],
    });
    if (args.json)
      io.out(
        `${JSON.stringify({ policy: policy.path, status: 'trusted', files: pins, ...(providerSummary ? { provider_package: providerSummary } : {}) }, null, 2)}\n`,
      );
    else
      io.err(`${errStyle.green('✓')} Trusted. Agents can now run its commands through ironrun.\n`);
    return ExitCode.OK;
  },
});
