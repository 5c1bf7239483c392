import { relative } from 'node:path';
import {
  checkTrust,
  isInsideDir,
  isPolicyError,
  type Policy,
  type PolicyFile,
  type VerifiedPin,
} from '@ironrun/policy';
import { IronrunError } from './ironrun-error.js';

function shown(path: string, dir: string): string {
  const inside = relative(dir, path);
  return inside === '' || !isInsideDir(dir, path) ? path : inside;
}

/**
 * Refuses a policy that no person trusted, or that changed since, with a
 * message that says how to review it and who may trust it. Returns the
 * SHA-256 of the policy bytes it checked. Given a file already read, it
 * checks those bytes and does not read the policy again.
 */
export async function assertTrusted(
  policy: string | PolicyFile,
  projectDir: string,
  configDir?: string,
  commandId?: string,
): Promise<string> {
  return (await assertTrustedPins(policy, projectDir, configDir, commandId)).policySha256;
}

/**
 * {@link assertTrusted}, also returning the pinned files whose content was
 * checked by hash (the sandbox runs them from a copy of those bytes) and the
 * real programs trust recorded for programs named through links (command id
 * → real path: the sandbox runs no other file).
 */
export async function assertTrustedPins(
  policy: string | PolicyFile,
  projectDir: string,
  configDir?: string,
  commandId?: string,
): Promise<{ policySha256: string; verified: VerifiedPin[]; programs: Record<string, string> }> {
  const policyPath = typeof policy === 'string' ? policy : policy.path;
  if (policyPath === '') {
    throw new IronrunError(
      'TRUST_UNTRUSTED',
      'ironrun: this policy has no file path, so its trust cannot be checked; pass the path of ironrun.yml instead',
    );
  }
  let check: Awaited<ReturnType<typeof checkTrust>>;
  try {
    check = await checkTrust(policy, {
      ...(configDir === undefined ? {} : { configDir }),
      ...(commandId === undefined ? {} : { command: commandId }),
    });
  } catch (error) {
    const detail = isPolicyError(error)
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
    throw new IronrunError(
      'POLICY',
      `ironrun: could not check the trust of ${policyPath}: ${detail}`,
      {
        cause: error,
      },
    );
  }
  if (check.status === 'trusted')
    return {
      policySha256: check.policySha256,
      verified: check.verified,
      programs: check.programs,
    };
  const how =
    `Review it and the scripts it runs, then a person runs \`ironrun trust\` at a terminal in ${projectDir}. ` +
    'An agent cannot trust a policy; commands stay refused until then.';
  if (check.status === 'untrusted') {
    throw new IronrunError('TRUST_UNTRUSTED', `ironrun: ${policyPath} is not trusted. ${how}`);
  }
  const changed = check.changed
    .map((file) =>
      file.command === undefined
        ? `  - ${shown(file.path, projectDir)}${file.part === undefined ? '' : ` ${JSON.stringify(file.part)}`} (${file.reason})`
        : `  - ${shown(file.path, projectDir)}: the entry of command ${JSON.stringify(file.command)} (${file.reason === 'added' ? 'not trusted yet' : file.reason})`,
    )
    .join('\n');
  const subject =
    commandId === undefined
      ? `${policyPath} or a file it runs changed since it was trusted`
      : `command ${JSON.stringify(commandId)} of ${policyPath}, or a file it runs, changed since it was trusted`;
  throw new IronrunError(
    'TRUST_CHANGED',
    `ironrun: ${subject}:\n${changed}\n` +
      `Review the changes (for example with \`git diff\`). ${how}`,
  );
}

/**
 * Refuses a policy whose parsed bytes are not the bytes whose trust was
 * checked: the file was swapped between the check and the read.
 */
export function assertSameBytes(policy: Policy, checkedSha256: string): void {
  if (policy.sha256 === checkedSha256) return;
  throw new IronrunError(
    'TRUST_CHANGED',
    `ironrun: ${policy.path} changed between its trust check and its read, so it was not used. Review it; a person runs \`ironrun trust\` again if the change is wanted.`,
  );
}
