import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { type PinPlan, pinStates, plannedPinKey, type TrustedFile } from '@ironrun/core';
import { defineCommand } from 'citty';
import { isConfined } from '../agent/agent-confinement.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg, policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';
import { reviewLines } from '../review-lines.js';
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
  const { isBuiltinProvider } = await import('@ironrun/core');
  if (isBuiltinProvider(name)) return undefined;
  const { providerPackageFiles, resolveProviderPackage } = await import('@ironrun/core');
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

/**
 * A recorded pin state as text: what the person is shown (see
 * {@link shortState}) and what must not move while they read.
 */
function stateText(state: TrustedFile | undefined): string {
  if (state === undefined) return '';
  switch (state.kind) {
    case 'file':
      return state.sha256 !== undefined ? `sha256:${state.sha256}` : `stat:${state.fingerprint}`;
    case 'symlink': {
      const content =
        state.sha256 !== undefined
          ? `sha256:${state.sha256}`
          : state.fingerprint !== undefined
            ? `stat:${state.fingerprint}`
            : '';
      return `symlink:${state.target}:${content}`;
    }
    case 'listing':
      return `listing:${state.entries.map((entry) => `${entry.name}\0${entry.kind}\0${entry.sha256 ?? ''}`).join('\0')}`;
    case 'programs':
      return `programs:${state.entries.map((entry) => `${entry.name}\0${entry.state}`).join('\0')}`;
    case 'part':
      return `part:${state.sha256}`;
    case 'directory':
      return 'folder';
    default:
      return state.kind;
  }
}

/** The short form of {@link stateText} the review prints beside a path. */
function shortState(state: string): string {
  if (state.startsWith('sha256:')) return state.slice(7, 19);
  if (state.startsWith('stat:')) return 'by stat';
  if (state.startsWith('symlink:'))
    return /sha256:[0-9a-f]{64}$/.test(state) ? `symlink ${state.slice(-64, -52)}` : 'symlink';
  if (state.startsWith('listing:')) return 'listing';
  if (state.startsWith('programs:')) return 'programs';
  return state;
}

/**
 * Every pin of the plan and its state now, by policy's own snapshot (the
 * form trust records), keyed by kind, path and part. A part pin is also
 * held to its whole file here: stricter than the record, so no edit of it at
 * all goes unseen while the person reads.
 */
async function planStates(plan: PinPlan): Promise<Map<string, string>> {
  const wholeFiles = plan.pins
    .filter((pin) => pin.kind === 'part')
    .map((pin) => ({ path: pin.path, kind: 'file' as const, reasons: [] }));
  const states = await pinStates({ ...plan, pins: [...plan.pins, ...wholeFiles] });
  return new Map(
    plan.pins.map((pin) => {
      const text = stateText(states.get(plannedPinKey(pin)));
      return [
        stateKey(pin),
        pin.kind === 'part' ? `${text}\0${stateText(states.get(pin.path))}` : text,
      ] as const;
    }),
  );
}

/** The key of a pin in {@link planStates}: kind, path and part. */
function stateKey(pin: { kind: string; path: string; part?: string | undefined }): string {
  return `${pin.kind}\0${pin.path}\0${pin.part ?? ''}`;
}

/** `ironrun trust`. */
export const trustCommand = defineCommand({
  meta: {
    name: 'trust',
    description:
      'Pin the policy and the files its commands execute, after showing them; a person at a terminal only, never an agent',
  },
  args: {
    id: {
      type: 'positional',
      required: false,
      description:
        'Trust only this command; the others keep their own trust (default: every command)',
    },
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
    const validation = await validatePolicyWithProviderSchemes(policyPath);
    if (validation.policy === undefined) throw validation.error;
    const { policy, providers, file } = validation;
    const { checkTrust, escapeForReview, planPins, reviewPolicyFile, trust } = await import(
      '@ironrun/core'
    );
    const configDir = await ironrunConfigDir(io.env);
    const only = args.id === undefined || args.id === '' ? undefined : String(args.id);
    if (only !== undefined && !policy.commands.some((command) => command.id === only)) {
      throw new CliError(
        'UNKNOWN_COMMAND',
        `${printable(policyPath)} has no command "${printable(only)}".`,
        {
          hints: [
            `Its commands: ${policy.commands.map((command) => command.id).join(', ') || '(none)'}.`,
          ],
        },
      );
    }
    const state = await checkTrust(file, {
      configDir,
      ...(only === undefined ? {} : { command: only }),
    });
    // What trust will pin is what planPins finds; the review shows each of those paths.
    const plan = await planPins(policy);
    const states = await planStates(plan);
    const fullReview = await reviewPolicyFile(file, { configDir, providers });
    // Trusting one command: the review shows that command (and the diff of the whole text).
    const review =
      only === undefined
        ? fullReview
        : {
            ...fullReview,
            commands: fullReview.commands.filter((command) => command.id === only),
            removed: [],
          };
    const shownPins = new Set(
      review.commands.flatMap((command) =>
        command.pins.map((pin) => `${pin.kind}\0${pin.path.text}\0${pin.part?.text ?? ''}`),
      ),
    );
    const shownStates = new Map(
      plan.pins
        .filter((pin) => pin.kind === 'file')
        .map((pin) => [escapeForReview(pin.path).text, states.get(stateKey(pin)) ?? '']),
    );
    const policySha256 = await sha256(policy.path);
    const pins = [
      { path: policy.path, state: `sha256:${policySha256}` },
      ...plan.pins.map((pin) => ({
        path: pin.path,
        kind: pin.kind,
        ...(pin.part === undefined ? {} : { part: pin.part }),
        state: states.get(stateKey(pin)) ?? '',
      })),
    ];
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
      else
        io.err(
          `${only === undefined ? printable(policy.path) : `"${printable(only)}" of ${printable(policy.path)}`} is already trusted as it is now; nothing to do.\n`,
        );
      return ExitCode.OK;
    }

    // What a person is about to vouch for, on stderr (stdout stays for --json).
    io.err(
      `${errStyle.bold(`Trusting ${only === undefined ? '' : `the command "${printable(only)}" of `}${printable(policy.path)}`)}\n`,
    );
    if (only !== undefined)
      io.err(
        `${errStyle.dim('The other commands keep their own trust: trusted while their entries and pins are unchanged, refused otherwise.')}\n`,
      );
    if (state.status === 'changed') {
      io.err(`${errStyle.yellow('Changed since it was last trusted:')}\n`);
      for (const change of state.changed)
        io.err(`  ${change.reason.padEnd(8)} ${rel(change.path)}\n`);
      if (review.diff === undefined)
        io.err(
          `  Review them (e.g. \`git diff -- ${state.changed.map((change) => rel(change.path)).join(' ')}\`).\n`,
        );
    } else {
      io.err('Never trusted before.\n');
    }
    io.err('\n');
    for (const line of reviewLines(review, {
      style: errStyle,
      pinState: (path) => shortState(shownStates.get(path) ?? ''),
    }))
      io.err(`${line}\n`);
    io.err(
      `\nFiles pinned: the policy and the ${shownPins.size} path${shownPins.size === 1 ? '' : 's'} above (their state must not change until the next trust).\n`,
    );
    if (providerPackage !== undefined) {
      io.err(
        `Provider package pinned: ${printable(providerPackage.name)} (${printable(providerPackage.dir)}, ${providerPackage.files.length} file${providerPackage.files.length === 1 ? '' : 's'}, entry ${printable(relative(providerPackage.dir, providerPackage.entry))})\n`,
      );
      io.err(
        `  ${errStyle.dim('It runs inside ironrun with the vault credentials and the secrets: review it as you review a script. Its dependencies are not pinned.')}\n`,
      );
    }
    io.err(`Trust record: ${printable(configDir)}\n\n`);
    if (policySha256 !== policy.sha256) {
      // The review read other bytes than the ones validated and planned: show nothing as trusted.
      throw new CliError(
        'POLICY_CHANGED',
        `Not trusted: ${rel(policy.path)} changed while it was being read.`,
        { hints: ['Run `ironrun trust` again.'] },
      );
    }
    if (plan.problems.length > 0) {
      const first = plan.problems[0]!;
      throw new CliError(
        'POLICY_INVALID',
        `Cannot trust: command ${first.command}: ${escapeForReview(first.subject).text}: ${first.reason}.`,
        { hints: ['Fix the policy, then run `ironrun trust` again.'] },
      );
    }

    if (!args.yes) {
      const ok = await confirmOnTerminal(
        only === undefined
          ? 'Trust this policy? Only a person who reviewed it may answer. [y/N] '
          : `Trust the command "${printable(only)}"? Only a person who reviewed it may answer. [y/N] `,
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
    const statesNow = await planStates(plan);
    const moved: { path: string }[] = [];
    if ((await sha256(policy.path)) !== policy.sha256) moved.push({ path: policy.path });
    for (const pin of plan.pins) {
      if (statesNow.get(stateKey(pin)) !== states.get(stateKey(pin)))
        moved.push({ path: pin.path });
    }
    const providerNow = await providerPackagePins(policy.provider.name, policy.dir);
    if (providerPackage !== undefined && providerNow !== undefined) {
      const hashesNow = await Promise.all(providerNow.files.map(sha256));
      const same =
        providerNow.dir === providerPackage.dir &&
        providerNow.entry === providerPackage.entry &&
        providerNow.files.join('\0') === providerPackage.files.join('\0') &&
        hashesNow.every((hash, index) => hash === providerHashes[index]);
      if (!same) moved.push({ path: providerPackage.dir });
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
    // The bytes the person reviewed, validated with the same provider declarations.
    const record = await trust(file, {
      configDir,
      providers,
      ...(only === undefined ? {} : { commands: [only] }),
      extraPins:
        providerPackage === undefined
          ? []
          : [...providerPackage.files, ...providerPackage.decidedBy],
    });
    if (record.policySha256 !== policy.sha256) {
      // Swapped between the last look and trust's own read: what is recorded is not what was shown.
      throw new CliError(
        'POLICY_CHANGED',
        `${rel(policy.path)} changed while it was being trusted: the record holds a version you did not review.`,
        { hints: ['Run `ironrun trust` again: it shows the difference from what was recorded.'] },
      );
    }
    if (args.json)
      io.out(
        `${JSON.stringify({ policy: policy.path, status: 'trusted', commands: only === undefined ? policy.commands.map((command) => command.id) : [only], files: pins, ...(providerSummary ? { provider_package: providerSummary } : {}) }, null, 2)}\n`,
      );
    else
      io.err(
        `${errStyle.green('✓')} Trusted. Agents can now run ${only === undefined ? 'its commands' : `"${printable(only)}"`} through ironrun.\n`,
      );
    return ExitCode.OK;
  },
});
