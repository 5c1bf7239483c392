import { relative } from 'node:path';
import type { ResolvedReference } from '@ironrun/core';
import { defineCommand } from 'citty';
import type { CliIo } from '../cli-io.js';
import { jsonArg, policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';
import { driftLine, programDrifts } from '../program-drift.js';
import { printable } from '../terminal-style.js';

interface ReferenceReport {
  ref: string;
  used_by: string[];
  found: boolean;
  reason?: string;
}

const notResolvedReason =
  'secret references not resolved: only a trusted policy runs its provider with your credentials (`ironrun trust` first)';

/** `ironrun check`. */
export const checkCommand = defineCommand({
  meta: {
    name: 'check',
    description:
      'Validate the policy (file:line:col errors), check its trust and, with --providers, that every secret reference resolves',
  },
  args: {
    policy: policyArg,
    providers: {
      type: 'boolean',
      description:
        'Also resolve every secret reference through the provider, for a trusted policy only (values are never printed)',
    },
    json: jsonArg,
  },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const { style } = io;
    const policyPath = resolvePolicyPath(args.policy, io.cwd);
    const shown = relative(io.cwd, policyPath) || policyPath;
    const { checkTrust, resolvePolicySecrets, validatePolicyWithProviderSchemes } = await import(
      '@ironrun/core'
    );
    const { policy, issues, file } = await validatePolicyWithProviderSchemes(policyPath);
    if (policy === undefined) {
      if (args.json) {
        io.out(`${JSON.stringify({ policy: policyPath, valid: false, issues }, null, 2)}\n`);
      } else {
        for (const issue of issues) {
          io.out(
            `${shown}:${issue.line}:${issue.column}: ${style.red('error')} ${printable(issue.message)}\n`,
          );
        }
        io.err(
          `${io.errStyle.red('ironrun:')} ${shown} has ${issues.length} problem${issues.length === 1 ? '' : 's'}.\n`,
        );
      }
      return ExitCode.USAGE;
    }
    const configDir = await ironrunConfigDir(io.env);
    // The bytes just validated, not a second read.
    const trust = await checkTrust(file, { configDir });
    let references: ResolvedReference[] | undefined;
    // Resolving runs the provider with the person's vault credentials, and an untrusted
    // policy is the agent's: its provider package would run the agent's code in this
    // process, and its options could point the credential at the agent's own listener.
    const resolvable = args.providers && trust.status === 'trusted';
    if (resolvable) {
      // `policy` was parsed from the very bytes whose trust was just checked (one read).
      references = await resolvePolicySecrets(policy, { env: io.env, configDir });
    }
    const unresolved = args.providers && !resolvable ? notResolvedReason : undefined;
    const missing = (references ?? []).filter(
      (reference) => !reference.found || reference.value === '',
    );
    const exitCode =
      trust.status !== 'trusted'
        ? ExitCode.UNTRUSTED
        : missing.length > 0
          ? ExitCode.PROVIDER
          : ExitCode.OK;

    const { defaultProgramPath } = await import('@ironrun/core');
    const drifts = programDrifts(policy.commands, {
      projectDir: policy.dir,
      env: io.env,
      defaultPath: defaultProgramPath(),
    });
    const referenceReports: ReferenceReport[] | undefined = references?.map((reference) => ({
      ref: reference.ref,
      used_by: reference.uses.map((use) => `${use.commandId}.${use.name}`),
      found: reference.found && reference.value !== '',
      ...(reference.found && reference.value === '' ? { reason: 'the value is empty' } : {}),
      ...(!reference.found && reference.reason !== undefined ? { reason: reference.reason } : {}),
    }));
    if (args.json) {
      io.out(
        `${JSON.stringify(
          {
            policy: policy.path,
            valid: true,
            commands: policy.commands.length,
            trust,
            ...(referenceReports === undefined ? {} : { references: referenceReports }),
            ...(unresolved === undefined ? {} : { references_not_resolved: unresolved }),
            ...(drifts.length === 0 ? {} : { program_drifts: drifts }),
          },
          null,
          2,
        )}\n`,
      );
      return exitCode;
    }
    io.out(
      `${style.green('✓')} ${shown} is valid (${policy.commands.length} commands, provider ${policy.provider.name})\n`,
    );
    if (trust.status === 'trusted') io.out(`${style.green('✓')} trusted as it is now\n`);
    else if (trust.status === 'untrusted') {
      io.out(
        `${style.yellow('!')} not trusted yet: a person reviews it and runs \`ironrun trust\` at a terminal\n`,
      );
    } else {
      io.out(`${style.red('✗')} changed since it was trusted:\n`);
      for (const change of trust.changed) {
        io.out(
          `    ${change.reason.padEnd(8)} ${printable(relative(policy.dir, change.path) || change.path)}\n`,
        );
      }
      io.out('  Review the changes, then a person runs `ironrun trust` at a terminal.\n');
    }
    for (const drift of drifts) io.out(`${style.yellow('!')} ${printable(driftLine(drift))}\n`);
    if (unresolved !== undefined) io.out(`${style.yellow('!')} ${unresolved}\n`);
    if (referenceReports !== undefined) {
      if (referenceReports.length === 0) io.out(`${style.green('✓')} no secret references\n`);
      for (const report of referenceReports) {
        const mark = report.found ? style.green('✓') : style.red('✗');
        const why = report.found
          ? 'resolves'
          : `does not resolve${report.reason ? `: ${report.reason}` : ''}`;
        io.out(
          `${mark} ${printable(report.ref)} ${printable(why)} ${style.dim(`(${report.used_by.join(', ')})`)}\n`,
        );
      }
    }
    return exitCode;
  },
});
