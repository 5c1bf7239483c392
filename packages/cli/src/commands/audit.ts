import { relative, resolve } from 'node:path';
import { isInsideDir } from '@ironrun/core';
import { defineCommand } from 'citty';
import { type AuditSecret, type LeakFinding, LeakScanner } from '../audit/leak-scanner.js';
import { defaultTranscriptRoots, transcriptFiles } from '../audit/transcript-files.js';
import { builtinProviders } from '../builtin-providers.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg, policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { toCliError } from '../error-mapping.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';
import { resolvePolicySecrets } from '../resolve-policy-secrets.js';
import { printable } from '../terminal-style.js';

/** `ironrun audit [paths]`. */
export const auditCommand = defineCommand({
  meta: {
    name: 'audit',
    description:
      "Scan agent transcripts (Claude Code, Codex, or the given paths) for the policy's secret values and their encodings; exits 1 on a leak",
  },
  args: {
    paths: {
      type: 'positional',
      required: false,
      description: 'Files or folders to scan (default: ~/.claude/projects, ~/.codex/sessions, ...)',
    },
    policy: policyArg,
    json: jsonArg,
  },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const policyPath = resolvePolicyPath(args.policy, io.cwd);
    const configDir = await ironrunConfigDir(io.env);
    // Only the secrets of a policy a person trusted, read from the bytes that were checked:
    // an untrusted policy could name any reference (or a provider package the agent wrote),
    // and audit would then resolve it with the person's credentials and say where it appears.
    const { loadTrustedPolicy } = await import('@ironrun/core');
    const policy = await loadTrustedPolicy(policyPath, {
      configDir,
      providers: { ...builtinProviders },
    }).catch((error: unknown) => {
      const mapped = toCliError(error);
      throw new CliError(mapped.code, mapped.message, {
        cause: error,
        hints: [
          'audit checks only the secrets of a policy a person trusted: review it, then run `ironrun trust`.',
        ],
      });
    });
    const references = await resolvePolicySecrets(policy, { env: io.env, configDir });
    const missing = references.filter((reference) => !reference.found);
    if (missing.length > 0) {
      throw new CliError(
        'SECRET_MISSING',
        `Cannot audit: ${missing.map((reference) => reference.ref).join(', ')} did not resolve.`,
        {
          hints: ['Run `ironrun check --providers`.'],
        },
      );
    }
    const { createRedactor } = await import('@ironrun/core');
    const secrets: { secret: AuditSecret; redactor: ReturnType<typeof createRedactor> }[] = [];
    const skipped: { ref: string; reason: string }[] = [];
    for (const reference of references) {
      if (!reference.found) continue;
      const secret: AuditSecret = {
        ref: reference.ref,
        value: reference.value,
        usedBy: reference.uses.map((use) => `${use.commandId}.${use.name}`),
      };
      try {
        secrets.push({ secret, redactor: createRedactor({ secrets: [secret.value] }) });
      } catch (error) {
        // A value too short to match safely: say so by reference, never by value.
        const code = (error as { code?: unknown }).code;
        skipped.push({
          ref: reference.ref,
          reason: typeof code === 'string' ? code : 'refused by the redactor',
        });
      }
    }

    const roots =
      args._.length > 0
        ? args._.map((path) => ({
            path: resolve(io.cwd, String(path)),
            extensions: undefined as string[] | undefined,
          }))
        : defaultTranscriptRoots(io.env.HOME).map((root) => ({
            path: root.path,
            extensions: root.extensions,
          }));
    const findings: LeakFinding[] = [];
    let files = 0;
    const progress = !args.json && process.stderr.isTTY === true;
    let lastProgress = 0;
    if (secrets.length > 0) {
      const scanner = new LeakScanner(createRedactor, secrets);
      const showProgress = (final: boolean) => {
        if (!progress) return;
        const now = Date.now();
        if (!final && now - lastProgress < 200) return;
        lastProgress = now;
        const mib = (scanner.bytes / 1024 / 1024).toFixed(1);
        io.err(`\r\x1b[2Kscanning: ${files} files, ${mib} MiB${final ? '\n' : ''}`);
      };
      for (const root of roots) {
        for await (const file of transcriptFiles(root.path, root.extensions)) {
          files++;
          try {
            findings.push(...(await scanner.scanFile(file)));
          } catch {
            // unreadable file: skip it
          }
          showProgress(false);
        }
      }
      showProgress(true);
    }

    const shown = (file: string) => {
      const rel = relative(io.cwd, file);
      return rel === '' || !isInsideDir(io.cwd, file) ? file : rel;
    };
    if (args.json) {
      io.out(
        `${JSON.stringify(
          {
            policy: policy.path,
            files_scanned: files,
            secrets_checked: secrets.length,
            skipped,
            findings: findings.map((finding) => ({
              file: finding.file,
              ref: finding.ref,
              used_by: finding.usedBy,
            })),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const { style } = io;
      for (const finding of findings) {
        io.out(
          `${printable(shown(finding.file))}: ${style.red('leak')} ${printable(finding.ref)} (${finding.usedBy.join(', ')})\n`,
        );
      }
      for (const skip of skipped)
        io.err(
          `${io.errStyle.yellow('ironrun:')} not checked: ${printable(skip.ref)} (${printable(skip.reason)})\n`,
        );
      const summary = `${findings.length} leak${findings.length === 1 ? '' : 's'} of ${secrets.length} secret${secrets.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
      io.err(
        findings.length > 0
          ? `${io.errStyle.red('✗')} ${summary}\n`
          : `${io.errStyle.green('✓')} ${summary}\n`,
      );
      if (findings.length > 0) {
        io.err(
          '  Rotate the leaked secrets: they reached an agent transcript (and its model provider).\n',
        );
      }
    }
    return findings.length > 0 ? ExitCode.FINDING : ExitCode.OK;
  },
});
