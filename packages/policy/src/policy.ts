/** The value of one `env` entry: a literal passed as is, or a secret reference resolved at exec time. */
export type EnvValue =
  | { kind: 'literal'; value: string }
  | { kind: 'secret'; ref: string; scheme: string };

/** One structured pin: the part of a file a command depends on. */
export interface PolicyPinPart {
  /** The file, relative to the policy's folder, as written. */
  file: string;
  /** A dotted key path (`scripts.test`) for JSON and TOML, a target name for a Makefile. */
  part: string;
}

/** The extra arguments an agent may append to a command's argv. */
export interface PolicyArgs {
  /** The regular expression (source text, as written) every extra argument must match in full. */
  pattern: string;
  /** How many extra arguments at most. */
  maxCount: number;
  /** Whether an extra argument may start with `-`. */
  allowOptions: boolean;
}

/** One named command of a policy, normalized: defaults applied, units converted, paths absolute. */
export interface PolicyCommand {
  /** The unique name the agent uses to ask for the command. */
  id: string;
  /** Shown to agents. */
  description?: string;
  /** The program and its arguments, as written; exec'd without a shell. */
  argv: string[];
  /** The variables the command receives, by name. */
  env: Record<string, EnvValue>;
  /**
   * Env names this command may set although they make its program load code
   * (`PYTHONPATH`, `npm_config_*`, `GIT_CONFIG_*`): a reviewed opt-in, shown
   * flagged by the trust review. @default undefined: none
   */
  allowLoaderEnv?: string[];
  /** How long the command may run, in milliseconds. @default 60_000 */
  ttlMs: number;
  /** Whether the command runs without network access. @default false */
  noNetwork: boolean;
  /** The absolute working folder, inside the policy's folder. @default the policy's folder */
  cwd: string;
  /** Extra executables argv[0] may resolve to. @default [] */
  allow: string[];
  /**
   * More folders the command may write in (absolute, normalized; relative
   * entries resolved against the policy's folder), added to the project
   * folder and the private `TMPDIR` the sandbox always allows (Linux with
   * Landlock). Trust requires each to exist as a folder with no symlink in
   * its path, and pins it; core checks that again before every run.
   * @default undefined: none
   */
  write?: string[];
  /** The PATH used to look argv[0] up (never the caller's). @default undefined: the sandbox's fixed safe PATH */
  path?: string;
  /** Extra arguments the agent may append. @default undefined: none */
  args?: PolicyArgs;
  /** Extra files pinned by trust, relative to the policy's folder, as written. @default [] */
  pin: string[];
  /**
   * Parts of files pinned by trust (`pin: [{ file, part }]`), the file
   * relative to the policy's folder, as written: a dotted key path of a JSON
   * or TOML file, or a Makefile target. @default undefined: none
   */
  pinParts?: PolicyPinPart[];
  /** Whether a person must approve every run. @default false */
  confirm: boolean;
  /** How much redacted output the agent gets back per stream, in bytes. @default 16_384 */
  maxOutputBytes: number;
  /**
   * `strict`: refused where the sandbox cannot isolate it; `best-effort`: runs
   * with what is available. @default undefined: strict
   */
  isolation?: 'strict' | 'best-effort';
  /** The sealed program's resource limits. @default undefined: the sandbox's defaults */
  limits?: PolicyLimits;
}

/** A command's `limits:`, normalized. Absent keys keep the sandbox's defaults. */
export interface PolicyLimits {
  /** Address space, in bytes. */
  memoryBytes?: number;
  /** CPU time, in whole seconds (rounded up). */
  cpuSeconds?: number;
  /** Processes and threads. */
  processes?: number;
  /** Largest file the program may write, in bytes. */
  fileSizeBytes?: number;
}

/** A validated, normalized `ironrun.yml`. */
export interface Policy {
  /** The absolute real path of the policy file ('' when parsed from text without a file name). */
  path: string;
  /** The policy's folder: the project root every relative path is resolved against. */
  dir: string;
  /**
   * The SHA-256 (hex) of the exact bytes this policy was parsed from (of the
   * text's UTF-8 for `parsePolicy`). Compare it with the hash `checkTrust`
   * reports to know that what was checked is what was parsed.
   */
  sha256: string;
  /** The format version. */
  version: 1;
  /** Where secrets come from: the provider's name and its options (validated by the provider). */
  provider: { name: string; options: Record<string, unknown> };
  /** The named commands, in file order. */
  commands: PolicyCommand[];
}

/** Options of `parsePolicy` and `validatePolicy`. */
export interface ParsePolicyOptions {
  /**
   * The policy's file name: shown in every issue line, and (resolved to an
   * absolute path) the policy's `path`, whose folder is `dir`.
   * @default undefined: issues name `<policy>`, `path` is '' and `dir` is the current folder
   */
  filename?: string;
  /**
   * What each provider declares about its references, by provider name
   * (`{ '1password': { schemes: ['op'], references: { op: { pattern, expected } } } }`):
   * the only source of reference schemes and syntax. The policy package knows
   * no vendor; `@ironrun/core` passes its provider registry's declarations.
   * A reference of a scheme no provider claims is `UNKNOWN_SCHEME`; one that
   * does not match its declared syntax `INVALID_REFERENCE`; one whose scheme
   * another declared provider claims than the policy's `INVALID_REFERENCE`.
   * @default {}
   */
  providers?: ProviderReferenceMap;
  /**
   * More reference schemes (`vault` for `vault://…`) claimed by a provider
   * whose syntax is not declared: any non-empty reference of them is taken.
   * @default []
   */
  schemes?: readonly string[];
}

/**
 * What a provider declares about its secret references, as plain data (the
 * `ironrun` field of its package.json, read by `@ironrun/provider`).
 */
export interface ProviderReferences {
  /** The schemes it resolves, without `://`. */
  schemes: readonly string[];
  /**
   * Per scheme, a regular expression (source text, anchored at both ends)
   * a whole reference must match, and what it looks like in words.
   * @default {}
   */
  references?: Readonly<Record<string, { pattern: string; expected: string }>>;
}

/** {@link ProviderReferences} by provider name. */
export type ProviderReferenceMap = Readonly<Record<string, ProviderReferences>>;

/** The reference declarations a policy is validated with: see {@link ParsePolicyOptions}. */
export type ReferenceOptions = Pick<ParsePolicyOptions, 'providers' | 'schemes'>;

/** The result of `validatePolicy`: the policy when there is no issue. */
export interface PolicyValidation {
  /** The policy, present exactly when `issues` is empty. */
  policy?: Policy;
  /** Every problem found, in file order. */
  issues: import('./policy-error.js').PolicyIssue[];
}
