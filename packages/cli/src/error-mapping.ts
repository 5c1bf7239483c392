import type {
  IronrunErrorCode,
  PolicyErrorCode,
  ProviderErrorCode,
  RedactorErrorCode,
  SandboxErrorCode,
} from '@ironrun/core';
import { CliError, type CliErrorCode } from './cli-error.js';

/**
 * What one error code of another package becomes: a {@link CliErrorCode} (and so an exit
 * code), and the hints printed under the message when the CLI code's usual ones do not fit.
 */
interface CliMapping {
  readonly code: CliErrorCode;
  readonly hints?: readonly string[];
}

const unredactableHints = [
  'The secret value in the vault cannot be redacted safely; change the value, or the reference.',
];

// Each table is a Record over its package's closed code union: a code added there and not
// mapped here is a compile error, not an "Unexpected error" at exit 70.
const fromCore: Record<IronrunErrorCode, CliMapping> = {
  POLICY: { code: 'POLICY_INVALID' },
  TRUST_UNTRUSTED: { code: 'UNTRUSTED' },
  TRUST_CHANGED: { code: 'POLICY_CHANGED' },
  UNKNOWN_COMMAND: { code: 'UNKNOWN_COMMAND' },
  ARGS_REJECTED: { code: 'ARGS_REJECTED' },
  CONFIRM_DECLINED: { code: 'CONFIRM_DECLINED' },
  CANCELED: { code: 'CONFIRM_DECLINED' },
  PROVIDER: { code: 'PROVIDER' },
  SECRET_MISSING: { code: 'SECRET_MISSING' },
  SECRET_TOO_SHORT: { code: 'PROVIDER' },
  REDACTOR: { code: 'PROVIDER', hints: unredactableHints },
  SANDBOX: { code: 'SANDBOX' },
  // The command did not start, like a failed spawn; the hook is the caller's, not the machine's.
  SECRETS_HOOK: { code: 'SANDBOX', hints: [] },
  // Inside `ironrun agent`: the broker outside could not be reached or broke the protocol.
  BROKER: {
    code: 'SANDBOX',
    hints: [
      'Is `ironrun agent` still running? Start the agent again with `ironrun agent -- <agent>`.',
    ],
  },
};

const fromPolicy: Record<PolicyErrorCode, CliMapping> = {
  INVALID_POLICY: { code: 'POLICY_INVALID' },
  READ_FAILED: { code: 'POLICY_INVALID' },
  ARGS_REJECTED: { code: 'ARGS_REJECTED' },
  TRUST_STORE: { code: 'UNTRUSTED' },
};

const fromProvider: Record<ProviderErrorCode, CliMapping> = {
  AUTH: { code: 'PROVIDER' },
  NOT_FOUND: { code: 'SECRET_MISSING' },
  NETWORK: { code: 'PROVIDER' },
  TIMEOUT: { code: 'PROVIDER' },
  CONFIG: { code: 'PROVIDER' },
  RATE_LIMIT: { code: 'PROVIDER' },
  INVALID_REFERENCE: { code: 'PROVIDER' },
  INVALID_RESULT: { code: 'PROVIDER' },
  LOAD: { code: 'PROVIDER' },
  UNKNOWN: { code: 'PROVIDER' },
};

const fromSandbox: Record<SandboxErrorCode, CliMapping> = {
  NOT_ALLOWED: { code: 'SANDBOX' },
  NOT_FOUND: { code: 'SANDBOX' },
  NOT_EXECUTABLE: { code: 'SANDBOX' },
  ISOLATION_UNAVAILABLE: { code: 'SANDBOX' },
  INVALID_OPTIONS: { code: 'SANDBOX' },
  SPAWN_FAILED: { code: 'SANDBOX' },
  REPORT_INVALID: { code: 'SANDBOX' },
  CONTENT_CHANGED: { code: 'POLICY_CHANGED' },
};

const fromRedactor: Record<RedactorErrorCode, CliMapping> = {
  SECRET_TOO_SHORT: { code: 'PROVIDER' },
  INVALID_OPTIONS: { code: 'PROVIDER' },
  REPLACEMENT_CONTAINS_SECRET: { code: 'PROVIDER', hints: unredactableHints },
  INVALID_INPUT: { code: 'PROVIDER' },
  STREAM_ENDED: { code: 'PROVIDER' },
  UNSUPPORTED_RUNTIME: { code: 'PROVIDER' },
};

/**
 * Per error class (matched by `name`, so duplicated bundles still map): its table, and what a
 * code missing from the table (an error from a newer copy of that package) becomes.
 */
const byErrorName: Record<string, { table: Record<string, CliMapping>; fallback: CliMapping }> = {
  IronrunError: { table: fromCore, fallback: { code: 'INTERNAL' } },
  PolicyError: { table: fromPolicy, fallback: { code: 'POLICY_INVALID' } },
  ProviderError: { table: fromProvider, fallback: { code: 'PROVIDER' } },
  SandboxError: { table: fromSandbox, fallback: { code: 'SANDBOX' } },
  RedactorError: { table: fromRedactor, fallback: { code: 'PROVIDER' } },
};

const hintsByCode: Partial<Record<CliErrorCode, string[]>> = {
  UNKNOWN_COMMAND: ['Run `ironrun list` to see the commands the policy allows.'],
  PROVIDER: ['Run `ironrun doctor` to check the provider credentials.'],
  SECRET_MISSING: ['Run `ironrun check --providers` to see which reference does not resolve.'],
  SANDBOX: ['Run `ironrun doctor` to check what isolation this machine supports.'],
};

function field(error: unknown, key: 'name' | 'code'): string | undefined {
  return typeof error === 'object' && error !== null && key in error
    ? String((error as Record<typeof key, unknown>)[key])
    : undefined;
}

function mappingOf(error: unknown): CliMapping {
  const name = field(error, 'name');
  const code = field(error, 'code') ?? '';
  const source =
    name !== undefined && Object.hasOwn(byErrorName, name) ? byErrorName[name] : undefined;
  if (source !== undefined) {
    return Object.hasOwn(source.table, code) ? source.table[code]! : source.fallback;
  }
  if (code === 'ENOENT' || code === 'EACCES') return { code: 'IO' };
  return { code: 'INTERNAL' };
}

/**
 * Maps an error of another ironrun package (matched by `name` and `code`, so
 * duplicated bundles still map) to a {@link CliError}. The message is the
 * package's own, which by contract never holds a secret value.
 */
export function toCliError(error: unknown): CliError {
  const mapped = mappingOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const text = mapped.code === 'INTERNAL' ? `Unexpected error: ${message}` : message;
  const hints = mapped.hints ?? hintsByCode[mapped.code] ?? [];
  return new CliError(mapped.code, text, { cause: error, hints });
}
