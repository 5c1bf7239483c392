import { CliError, type CliErrorCode } from './cli-error.js';

const coreCodes: Record<string, CliErrorCode> = {
  TRUST_UNTRUSTED: 'UNTRUSTED',
  TRUST_CHANGED: 'POLICY_CHANGED',
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  ARGS_REJECTED: 'ARGS_REJECTED',
  PROVIDER: 'PROVIDER',
  SECRET_MISSING: 'SECRET_MISSING',
  SECRET_TOO_SHORT: 'PROVIDER',
  CANCELED: 'CONFIRM_DECLINED',
  CONFIRM_DECLINED: 'CONFIRM_DECLINED',
  SANDBOX: 'SANDBOX',
  POLICY: 'POLICY_INVALID',
  BROKER: 'SANDBOX',
};

const hintsByCode: Partial<Record<CliErrorCode, string[]>> = {
  UNKNOWN_COMMAND: ['Run `ironrun list` to see the commands the policy allows.'],
  PROVIDER: ['Run `ironrun doctor` to check the provider credentials.'],
  SECRET_MISSING: ['Run `ironrun check --providers` to see which reference does not resolve.'],
  SANDBOX: ['Run `ironrun doctor` to check what isolation this machine supports.'],
};

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error
    ? String((error as { name: unknown }).name)
    : undefined;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/**
 * Maps an error of another ironrun package (matched by `name` and `code`, so
 * duplicated bundles still map) to a {@link CliError}. The message is the
 * package's own, which by contract never holds a secret value.
 */
export function toCliError(error: unknown): CliError {
  const name = errorName(error);
  const code = errorCode(error) ?? '';
  const message = error instanceof Error ? error.message : String(error);
  let mapped: CliErrorCode = 'INTERNAL';
  if (name === 'IronrunError') mapped = coreCodes[code] ?? 'INTERNAL';
  else if (name === 'PolicyError') {
    mapped =
      code === 'ARGS_REJECTED'
        ? 'ARGS_REJECTED'
        : code.startsWith('TRUST')
          ? 'UNTRUSTED'
          : 'POLICY_INVALID';
  } else if (name === 'ProviderError')
    mapped = code === 'NOT_FOUND' ? 'SECRET_MISSING' : 'PROVIDER';
  else if (name === 'SandboxError') mapped = 'SANDBOX';
  else if (name === 'RedactorError') mapped = 'PROVIDER';
  else if (errorCode(error) === 'ENOENT' || errorCode(error) === 'EACCES') mapped = 'IO';
  const text = mapped === 'INTERNAL' ? `Unexpected error: ${message}` : message;
  return new CliError(mapped, text, { cause: error, hints: hintsByCode[mapped] ?? [] });
}
