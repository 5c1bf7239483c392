import { ProviderError } from '@ironrun/provider';

const reference = /^envfile:\/\/([A-Za-z_][A-Za-z0-9_.-]*)$/;

/**
 * The variable name of an `envfile://NAME` reference. NAME starts with a letter or `_`, then
 * letters, digits, `_`, `.` or `-` (as the policy checks it); anything else is
 * `INVALID_REFERENCE`.
 */
export function envfileKey(ref: string): string {
  const match = reference.exec(ref);
  if (match === null) {
    throw new ProviderError(
      'INVALID_REFERENCE',
      `envfile: ${JSON.stringify(ref)} is not a valid reference; write envfile://NAME, where NAME is a variable of the secrets file (a letter or _, then letters, digits, _ . -)`,
      { provider: 'envfile', refs: [ref] },
    );
  }
  return match[1]!;
}
