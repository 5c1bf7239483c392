import { ActionError } from './action-error.js';

/** How the policy is trusted in the workflow: see {@link ActionInputs.trust}. */
export type TrustMode = 'workflow' | 'pinned';

/** The action's `with:` inputs, checked and typed. */
export interface ActionInputs {
  /** The id of the command to run. */
  command: string;
  /** Path of the policy file, as given (relative paths are resolved from the workspace). */
  policy: string;
  /** Extra arguments, in order, before the policy's `args:` rules are applied. */
  args: string[];
  /**
   * `workflow`: trust the policy at the checked-out commit (no trust record
   * needed). `pinned`: require a trust record made by `ironrun trust`.
   */
  trust: TrustMode;
  /** Where trust records are read in `pinned` mode; empty for the ironrun default. */
  trustDir: string;
  /** The dotenv text for the envfile provider; empty if not given. */
  envfile: string;
  /** Provider credentials by input name; only the non-empty ones are present. */
  credentials: Partial<Record<CredentialInput, string>>;
}

/** The inputs that carry a provider credential. */
export type CredentialInput =
  | 'doppler-token'
  | 'infisical-client-id'
  | 'infisical-client-secret'
  | 'op-service-account-token';

/** Every credential input, in the order action.yml lists them. */
export const credentialInputs: readonly CredentialInput[] = [
  'doppler-token',
  'infisical-client-id',
  'infisical-client-secret',
  'op-service-account-token',
];

/** Every input the action reads; action.yml must declare exactly these. */
export const inputNames: readonly string[] = [
  'command',
  'policy',
  'args',
  'trust',
  'trust-dir',
  'envfile',
  ...credentialInputs,
];

/**
 * Reads one input's raw text, untrimmed; `''` when not given. In the action
 * this is `(name) => core.getInput(name, { trimWhitespace: false })`.
 */
export type InputReader = (name: string) => string;

const trustModes: readonly TrustMode[] = ['workflow', 'pinned'];

/**
 * Reads and checks every input. Throws {@link ActionError} naming the input
 * at fault; a credential's value never appears in a message.
 *
 * @example
 * const inputs = readInputs((name) => core.getInput(name, { trimWhitespace: false }));
 */
export function readInputs(read: InputReader): ActionInputs {
  const command = read('command').trim();
  if (command === '') {
    throw new ActionError(
      'INPUT_MISSING',
      'Input "command" is required: the id of a command in the policy.',
    );
  }
  if (/[\0-\x1f\x7f]/.test(command)) {
    throw new ActionError(
      'INPUT_INVALID',
      'Input "command" must be a single command id, without control characters.',
    );
  }
  const policy = read('policy').trim() || 'ironrun.yml';
  if (policy.includes('\0') || /[\n\r]/.test(policy)) {
    throw new ActionError('INPUT_INVALID', 'Input "policy" must be one file path.');
  }
  const trust = (read('trust').trim() || 'workflow') as TrustMode;
  if (!trustModes.includes(trust)) {
    throw new ActionError(
      'INPUT_INVALID',
      `Input "trust" must be one of: ${trustModes.join(', ')}.`,
    );
  }
  const credentials: ActionInputs['credentials'] = {};
  for (const name of credentialInputs) {
    const value = read(name).trim();
    if (value === '') continue;
    if (/[\n\r\0]/.test(value)) {
      throw new ActionError(
        'INPUT_INVALID',
        `Input "${name}" must be a single line (its value is not shown).`,
      );
    }
    credentials[name] = value;
  }
  return {
    command,
    policy,
    args: parseArgsInput(read('args')),
    trust,
    trustDir: read('trust-dir').trim(),
    envfile: read('envfile'),
    credentials,
  };
}

/**
 * Splits the `args` input into arguments: a JSON array of strings when the
 * text starts with `[`, otherwise one argument per line with surrounding
 * whitespace and blank lines ignored. Use the JSON form for an argument that
 * is empty or has leading or trailing spaces.
 *
 * @example
 * parseArgsInput('--env\nstaging'); // ['--env', 'staging']
 * parseArgsInput('["--message", " two words "]'); // ['--message', ' two words ']
 */
export function parseArgsInput(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new ActionError(
        'INPUT_INVALID',
        'Input "args" starts with "[" but is not valid JSON: expected an array of strings.',
        {
          cause,
        },
      );
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      throw new ActionError('INPUT_INVALID', 'Input "args" must be a JSON array of strings.');
    }
    return parsed;
  }
  return trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
