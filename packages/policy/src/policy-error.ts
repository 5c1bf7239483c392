const brand = Symbol.for('ironrun.PolicyError');

/**
 * What went wrong, as a closed set:
 * - `INVALID_POLICY`: the policy text has one or more problems (see `issues`).
 * - `READ_FAILED`: the policy file could not be read.
 * - `ARGS_REJECTED`: extra arguments from the agent broke the command's `args` rule.
 * - `TRUST_STORE`: the trust store could not be read or written.
 */
export type PolicyErrorCode = 'INVALID_POLICY' | 'READ_FAILED' | 'ARGS_REJECTED' | 'TRUST_STORE';

/**
 * The kind of one problem in a policy, as a closed set:
 * - `YAML_SYNTAX`: the text is not valid YAML (or uses a YAML feature ironrun refuses).
 * - `DUPLICATE_KEY`: a mapping names the same key twice.
 * - `UNKNOWN_KEY`: a key ironrun does not know (often a typo; a suggestion is given).
 * - `MISSING_KEY`: a required key is absent.
 * - `INVALID_TYPE`: a value has the wrong type (a number where a string is expected…).
 * - `INVALID_VALUE`: a value has the right type but is out of range or malformed.
 * - `DUPLICATE_ID`: two commands share an `id`.
 * - `INVALID_REFERENCE`: a secret reference of a known scheme is malformed.
 * - `UNKNOWN_SCHEME`: a value looks like a reference (`scheme://…`) but no provider claims the scheme.
 * - `FORBIDDEN_ENV`: an `env` name that would subvert the sandbox (`LD_PRELOAD`, `PATH`…).
 * - `OUTSIDE_PROJECT`: a path leaves the policy's folder.
 */
export type PolicyIssueCode =
  | 'YAML_SYNTAX'
  | 'DUPLICATE_KEY'
  | 'UNKNOWN_KEY'
  | 'MISSING_KEY'
  | 'INVALID_TYPE'
  | 'INVALID_VALUE'
  | 'DUPLICATE_ID'
  | 'INVALID_REFERENCE'
  | 'UNKNOWN_SCHEME'
  | 'FORBIDDEN_ENV'
  | 'OUTSIDE_PROJECT';

/** One problem found in a policy, with its 1-based position in the text. */
export interface PolicyIssue {
  /** The kind of problem. */
  code: PolicyIssueCode;
  /** What is wrong and what was expected, without the position; never a secret value. */
  message: string;
  /** Where in the document, as keys and list indexes (`['commands', 0, 'ttl']`). */
  path: (string | number)[];
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Options of {@link PolicyError}. */
export interface PolicyErrorOptions {
  /** Every problem found, for `INVALID_POLICY`. @default [] */
  issues?: readonly PolicyIssue[];
  /** The file name used in the issue lines. @default undefined */
  filename?: string;
  /** The underlying error, kept for debugging. @default undefined */
  cause?: unknown;
}

/**
 * Formats issues in the style of a compiler, one `file:line:col: message` a line.
 *
 * @example
 * formatIssues('ironrun.yml', error.issues) // 'ironrun.yml:4:5: commands[0].ttl: …'
 */
export function formatIssues(filename: string, issues: readonly PolicyIssue[]): string {
  return issues
    .map((issue) => `${filename}:${issue.line}:${issue.column}: ${issue.message}`)
    .join('\n');
}

/**
 * The one error `@ironrun/policy` throws. For a bad policy, `issues` lists
 * every problem and `message` lists them as `file:line:col: message` lines.
 * Messages never contain a secret value, an `env` value or an `argv` value.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** What went wrong. */
  readonly code: PolicyErrorCode;
  /** Every problem found (empty unless `code` is `INVALID_POLICY`). */
  readonly issues: readonly PolicyIssue[];
  /** The file the issues point into, as it was named to the parser. */
  readonly filename: string | undefined;
  readonly [brand] = true;

  constructor(code: PolicyErrorCode, message: string, options: PolicyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = Object.freeze([...(options.issues ?? [])]);
    this.filename = options.filename;
  }
}

/**
 * Whether `value` is a {@link PolicyError}, also across duplicated copies of
 * this package (the check uses a `Symbol.for` brand, not `instanceof`).
 */
export function isPolicyError(value: unknown): value is PolicyError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** How many issue lines the message of an `INVALID_POLICY` error lists; `issues` holds them all. */
export const maxIssueLines = 50;

/**
 * The `INVALID_POLICY` error for `issues` found in the policy `filename`: its
 * message lists them as `file:line:col: message` lines (the first 50).
 */
export function invalidPolicyError(filename: string, issues: readonly PolicyIssue[]): PolicyError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const shown = formatIssues(filename, issues.slice(0, maxIssueLines));
  const more = issues.length > maxIssueLines ? `\n… and ${issues.length - maxIssueLines} more` : '';
  return new PolicyError(
    'INVALID_POLICY',
    `invalid policy ${filename} (${count}):\n${shown}${more}`,
    {
      issues,
      filename,
    },
  );
}
