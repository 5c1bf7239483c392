import { randomBytes } from 'node:crypto';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const pemBody = randomBytes(240).toString('base64');
const sharedPrefix = `ghp_shared_${hex(6)}_`;
const inner = `inner_${hex(8)}`;

/**
 * The secrets every attack project's envfile holds, fresh for each test
 * process, so no value can be hard-coded into an expectation.
 */
export const testSecrets = {
  /** An API token. */
  TOKEN: `sk_live_${hex(24)}`,
  /** A password with characters that URL and JSON encoding change. */
  SPECIAL: `p@ss w/rd "${hex(4)}" \\ +&=?#é€${hex(4)}`,
  /** A PEM private key: matched whole and line by line. */
  PEM: [
    '-----BEGIN PRIVATE KEY-----',
    ...(pemBody.match(/.{1,64}/g) ?? []),
    '-----END PRIVATE KEY-----',
  ].join('\n'),
  /** Two secrets sharing a prefix. */
  PREFIX_A: `${sharedPrefix}${hex(10)}`,
  PREFIX_B: `${sharedPrefix}${hex(14)}`,
  /** A secret, and a longer one that contains it whole. */
  INNER: inner,
  OUTER: `outer_${inner}_${hex(4)}`,
  /** A 64-byte secret, long enough for line-wrapping encoders to split its encoding. */
  LONG: `lk_${hex(30)}_${hex(1)}`.slice(0, 64),
  /** A value shorter than the redactor's minimum length. */
  SHORT: `Q${hex(2)}`,
} as const;

/** The name of a standard secret. */
export type TestSecretName = keyof typeof testSecrets;

/** The standard secrets as the leak scanner takes them. */
export function namedSecrets(
  extra: Record<string, string> = {},
): { name: string; value: string }[] {
  return Object.entries({ ...testSecrets, ...extra }).map(([name, value]) => ({ name, value }));
}
