import { ProviderError } from '@ironrun/provider';

/** A parsed `op://` secret reference. */
export interface OnePasswordReference {
  /** The reference as written. */
  ref: string;
  vault: string;
  item: string;
  /** The section, for `op://vault/item/section/field`. */
  section?: string;
  field: string;
  /** Query parameters such as `attribute=otp` or `ssh-format=openssh`. */
  query: Record<string, string>;
}

/**
 * Names as 1Password documents them for secret references: letters, digits, `-`, `_`, `.`
 * and spaces (not at either end). Anything else must be written as the object's ID.
 */
const namePattern = /^(?!\.+$)[A-Za-z0-9_.-](?:[A-Za-z0-9_. -]{0,253}[A-Za-z0-9_.-])?$/;
/**
 * The query parameters both backends accept: the SDK takes only these (one at a time), the
 * `op` CLI takes them too.
 */
const queryValues: Record<string, readonly string[]> = {
  attribute: ['otp', 'totp'],
  'ssh-format': ['openssh'],
};
const expectedForms = 'expected op://vault/item/field or op://vault/item/section/field';

function invalid(ref: string, why: string): ProviderError {
  return new ProviderError(
    'INVALID_REFERENCE',
    `1password: invalid reference ${JSON.stringify(ref)}: ${why}; ${expectedForms} (names use letters, digits, '-', '_', '.' and spaces; use the ID for anything else)`,
    { provider: '1password', refs: [ref] },
  );
}

/**
 * Validates and parses a 1Password secret reference offline, before any call, so a malformed
 * reference never reaches the SDK or the `op` CLI.
 *
 * @throws ProviderError `INVALID_REFERENCE` naming the reference.
 */
export function parseOnePasswordReference(ref: string): OnePasswordReference {
  if (typeof ref !== 'string' || !ref.startsWith('op://')) {
    throw invalid(String(ref), "it does not start with 'op://'");
  }
  const rest = ref.slice('op://'.length);
  const queryAt = rest.indexOf('?');
  const body = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query: Record<string, string> = {};
  if (queryAt !== -1) {
    const pair = rest.slice(queryAt + 1);
    const [key, value, extra] = pair.split('=');
    const allowed = key !== undefined && Object.hasOwn(queryValues, key) ? queryValues[key]! : [];
    if (value === undefined || extra !== undefined || !allowed.includes(value)) {
      throw invalid(
        ref,
        `the query '${pair}' is not one of attribute=otp, attribute=totp or ssh-format=openssh`,
      );
    }
    query[key!] = value;
  }
  const parts = body.split('/');
  if (parts.length !== 3 && parts.length !== 4) {
    throw invalid(ref, `it has ${parts.length} path segments`);
  }
  for (const part of parts) {
    if (!namePattern.test(part)) throw invalid(ref, `'${part}' is not a valid name`);
  }
  if (parts.length === 3) {
    const [vault, item, field] = parts as [string, string, string];
    return { ref, vault, item, field, query };
  }
  const [vault, item, section, field] = parts as [string, string, string, string];
  return { ref, vault, item, section, field, query };
}
