import { ProviderError } from '@ironrun/provider';
import manifest from '../package.json' with { type: 'json' };

const prefix = 'envfile://';
/** The one reference syntax, as package.json declares it for the policy check. */
const reference = new RegExp(`^(?:${manifest.ironrun.references.envfile.pattern})$`);

/**
 * The variable name of an `envfile://NAME` reference. NAME starts with a letter or `_`, then
 * letters, digits, `_`, `.` or `-` (the syntax package.json declares, which the policy
 * checks); anything else is `INVALID_REFERENCE`.
 */
export function envfileKey(ref: string): string {
  if (typeof ref !== 'string' || !reference.test(ref)) {
    throw new ProviderError(
      'INVALID_REFERENCE',
      `envfile: ${JSON.stringify(ref)} is not a valid reference; write envfile://NAME, where NAME is a variable of the secrets file (a letter or _, then letters, digits, _ . -)`,
      { provider: 'envfile', refs: [ref] },
    );
  }
  return ref.slice(prefix.length);
}
