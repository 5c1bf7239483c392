/**
 * What a provider package declares about its vendor in the `ironrun` field of its
 * package.json, read without importing the package. The same for built-in and third-party
 * providers: it is the only place ironrun learns a vendor's schemes, reference syntax,
 * credential variables, command-line programs, secret files and the vendor CLI's session
 * folders.
 *
 * @example
 * // package.json of ironrun-provider-vault
 * "ironrun": {
 *   "schemes": ["vault"],
 *   "references": { "vault": { "pattern": "vault://[a-z0-9/]+#[a-z_]+", "expected": "vault://path#key" } },
 *   "credentials": [{ "env": "VAULT_TOKEN", "option": "token_env" }],
 *   "programs": ["vault"]
 * }
 */
export interface ProviderDeclaration {
  /** The reference schemes the provider resolves, without `://` (`['vault']` for `vault://…`). */
  schemes: string[];
  /**
   * The syntax of a reference, by scheme: `pattern` is a regular expression (source text)
   * the whole reference must match (it is anchored at both ends), `expected` says in words
   * what it looks like, for error messages. A scheme without an entry accepts any
   * non-empty reference. @default {}
   */
  references: Record<string, ReferenceSyntax>;
  /**
   * The environment variables holding a vault credential the provider reads. `option`
   * names the provider option that renames the variable (`token_env`); `input` the
   * GitHub Action input that carries it, if the Action has one. @default []
   */
  credentials: CredentialVariable[];
  /** Prefixes of credential variable names (`OP_SESSION_` for `OP_SESSION_my`). @default [] */
  credentialPrefixes: string[];
  /** The vendor's command-line programs, which read the vault with those credentials. @default [] */
  programs: string[];
  /** Files holding secret values the provider reads; see {@link SecretFile}. @default [] */
  secretFiles: SecretFile[];
  /**
   * Where the vendor's own CLI keeps its config, tokens and sessions (`~/.doppler`), which an
   * agent must never read; see {@link SessionLocation}. @default []
   */
  sessionLocations: SessionLocation[];
  /** How `ironrun init` writes this provider into a new policy; see {@link PolicyTemplate}. */
  policyTemplate?: PolicyTemplate;
}

/**
 * The provider's part of the policy `ironrun init` writes: the `provider` lines and an example
 * reference for the commented `env:` example. In `lines`, `{project}` stands for the project's
 * name (lower case, safe in YAML). Each line is a `#` comment, `provider:` (optionally with a
 * value) or indented below it, so a template cannot add commands or other top-level keys.
 *
 * @example
 * { "lines": ["provider:", "  name: vault", "  mount: {project}"], "example": "vault://db#password" }
 */
export interface PolicyTemplate {
  /** The provider block, one YAML line each. */
  lines: string[];
  /** A reference to show in the commented example; it matches the declared syntax. */
  example: string;
}

/**
 * A folder or file where the vendor's CLI keeps its login: a path that starts at `{home}`
 * (the home folder), `{xdgConfig}` (`$XDG_CONFIG_HOME`, else `{home}/.config`) or `{env}`
 * (the folder the variable `env` names, when it is set), then `/`-separated names without
 * `.` or `..`.
 *
 * @example
 * { "path": "{xdgConfig}/op", "reason": "1Password CLI config and sessions" }
 * { "path": "{env}", "env": "OP_CONFIG_DIR", "reason": "1Password CLI config ($OP_CONFIG_DIR)" }
 */
export interface SessionLocation {
  /** `{home}`, `{xdgConfig}` or `{env}`, optionally followed by `/name/…`. */
  path: string;
  /** The variable that names the folder, for a path that starts at `{env}`. */
  env?: string;
  /** What is kept there, in words, for `doctor` and `ironrun agent --dry-run`. */
  reason: string;
}

/** The syntax of the references of one scheme. */
export interface ReferenceSyntax {
  /** A regular expression (source text) a whole reference matches, `^…$` implied. */
  pattern: string;
  /** What a reference looks like, in words: `vault://path#key`. */
  expected: string;
}

/** One environment variable holding a vault credential. */
export interface CredentialVariable {
  /** The variable's name, `DOPPLER_TOKEN`. */
  env: string;
  /** The provider option that names another variable instead, `token_env`. */
  option?: string;
  /** The GitHub Action input that carries the credential, `doppler-token`. */
  input?: string;
}

/**
 * A file of secret values: the path the provider option `option` gives (`~/` is the home
 * folder, a relative path is read from the project folder), else `default`, a path
 * relative to the ironrun config folder. An agent must never read it.
 */
export interface SecretFile {
  /** The provider option that gives the path, `path`. */
  option: string;
  /** Where it is when the option is not set, relative to the config folder: `secrets.env`. */
  default?: string;
}

/** A scheme name as a provider gives it: lower case, no `://`, at most 64 characters. */
const schemeName = /^[a-z][a-z0-9+.-]{0,63}$/;
/** An environment variable name, or a prefix of one. */
const envName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A provider option name. */
const optionName = /^[a-z][a-z0-9_]{0,63}$/;
/** A GitHub Action input name. */
const inputName = /^[a-z][a-z0-9-]{0,63}$/;
/** A program name: a file name, never a path. */
const programName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A session location's path: a base, then names that are neither `.` nor `..`. */
const sessionPath = /^\{(?:home|xdgConfig|env)\}(?:\/(?!\.{1,2}(?:\/|$))[^/\0]{1,255}){0,16}$/;
/** A template line: a comment, `provider:` (with a value or not), or a line indented under it. */
const templateLine = /^(?:#[^\n\r]*|provider:(?: [^\n\r#]*)?| {2}[^\n\r]*)$/;
/** The most entries of any one list; more is a mistake, not a provider. */
const maxEntries = 64;
/** The longest reference pattern accepted, so a declaration stays reviewable. */
const maxPatternLength = 512;

/** Says what is wrong with a declaration; the caller turns it into its own error. */
export type DeclarationProblem = (what: string) => Error;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function shown(item: unknown): string {
  return typeof item === 'string' ? JSON.stringify(item.slice(0, 80)) : typeof item;
}

function list(field: Record<string, unknown>, key: string, fail: DeclarationProblem): unknown[] {
  const value = own(field, key);
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > maxEntries) {
    throw fail(`has an "ironrun.${key}" that is not a list of at most ${maxEntries} entries`);
  }
  return value;
}

function names(
  field: Record<string, unknown>,
  key: string,
  pattern: RegExp,
  what: string,
  fail: DeclarationProblem,
): string[] {
  const seen = new Set<string>();
  for (const item of list(field, key, fail)) {
    if (typeof item !== 'string' || !pattern.test(item)) {
      throw fail(`declares ${shown(item)} in "ironrun.${key}", which is not ${what}`);
    }
    seen.add(item);
  }
  return [...seen];
}

function readSchemes(field: Record<string, unknown>, fail: DeclarationProblem): string[] {
  const schemes = own(field, 'schemes');
  if (schemes === undefined) throw fail(`has an "ironrun" field without "schemes"`);
  if (!Array.isArray(schemes) || schemes.length === 0 || schemes.length > maxEntries) {
    throw fail(`has an "ironrun.schemes" that is not a list of 1 to ${maxEntries} scheme names`);
  }
  const seen = new Set<string>();
  for (const item of schemes) {
    if (typeof item !== 'string' || !schemeName.test(item)) {
      throw fail(
        `declares ${shown(item)} in "ironrun.schemes", which is not a scheme name (lower case, like "vault", without "://")`,
      );
    }
    if (seen.has(item)) throw fail(`declares the scheme "${item}" twice in "ironrun.schemes"`);
    seen.add(item);
  }
  return [...seen];
}

function readReferences(
  field: Record<string, unknown>,
  schemes: readonly string[],
  fail: DeclarationProblem,
): Record<string, ReferenceSyntax> {
  const value = own(field, 'references');
  if (value === undefined) return {};
  if (!isRecord(value)) throw fail(`has an "ironrun.references" that is not an object`);
  const references: Record<string, ReferenceSyntax> = {};
  for (const [scheme, syntax] of Object.entries(value)) {
    if (!schemes.includes(scheme)) {
      throw fail(`declares "ironrun.references" for ${shown(scheme)}, which is not in its schemes`);
    }
    const pattern = isRecord(syntax) ? own(syntax, 'pattern') : undefined;
    const expected = isRecord(syntax) ? own(syntax, 'expected') : undefined;
    if (
      typeof pattern !== 'string' ||
      pattern === '' ||
      pattern.length > maxPatternLength ||
      typeof expected !== 'string' ||
      expected === '' ||
      expected.length > 200
    ) {
      throw fail(
        `has an "ironrun.references.${scheme}" that is not { "pattern": "<regular expression, at most ${maxPatternLength} characters>", "expected": "<what a reference looks like>" }`,
      );
    }
    try {
      new RegExp(pattern);
    } catch {
      throw fail(`has an "ironrun.references.${scheme}.pattern" that is not a regular expression`);
    }
    references[scheme] = { pattern, expected };
  }
  return references;
}

function readCredentials(
  field: Record<string, unknown>,
  fail: DeclarationProblem,
): CredentialVariable[] {
  return list(field, 'credentials', fail).map((item) => {
    const env = isRecord(item) ? own(item, 'env') : undefined;
    const option = isRecord(item) ? own(item, 'option') : undefined;
    const input = isRecord(item) ? own(item, 'input') : undefined;
    if (
      typeof env !== 'string' ||
      !envName.test(env) ||
      (option !== undefined && (typeof option !== 'string' || !optionName.test(option))) ||
      (input !== undefined && (typeof input !== 'string' || !inputName.test(input)))
    ) {
      throw fail(
        `declares ${shown(isRecord(item) ? env : item)} in "ironrun.credentials", which is not { "env": "<VARIABLE>", "option"?: "<provider option>", "input"?: "<action input>" }`,
      );
    }
    return {
      env,
      ...(option === undefined ? {} : { option: option as string }),
      ...(input === undefined ? {} : { input: input as string }),
    };
  });
}

function readSecretFiles(field: Record<string, unknown>, fail: DeclarationProblem): SecretFile[] {
  return list(field, 'secretFiles', fail).map((item) => {
    const option = isRecord(item) ? own(item, 'option') : undefined;
    const fallback = isRecord(item) ? own(item, 'default') : undefined;
    const badDefault =
      fallback !== undefined &&
      (typeof fallback !== 'string' ||
        fallback === '' ||
        fallback.startsWith('/') ||
        fallback.split('/').includes('..') ||
        fallback.includes('\0'));
    if (typeof option !== 'string' || !optionName.test(option) || badDefault) {
      throw fail(
        `has an "ironrun.secretFiles" entry that is not { "option": "<provider option>", "default"?: "<path inside the config folder>" }`,
      );
    }
    return { option, ...(fallback === undefined ? {} : { default: fallback as string }) };
  });
}

function readSessionLocations(
  field: Record<string, unknown>,
  fail: DeclarationProblem,
): SessionLocation[] {
  return list(field, 'sessionLocations', fail).map((item) => {
    const path = isRecord(item) ? own(item, 'path') : undefined;
    const env = isRecord(item) ? own(item, 'env') : undefined;
    const reason = isRecord(item) ? own(item, 'reason') : undefined;
    const fromEnv = typeof path === 'string' && path.startsWith('{env}');
    if (
      typeof path !== 'string' ||
      !sessionPath.test(path) ||
      (fromEnv ? typeof env !== 'string' || !envName.test(env) : env !== undefined) ||
      typeof reason !== 'string' ||
      reason === '' ||
      reason.length > 200
    ) {
      throw fail(
        `has an "ironrun.sessionLocations" entry that is not { "path": "{home}|{xdgConfig}|{env}[/name…]", "env"?: "<VARIABLE, for {env}>", "reason": "<what is kept there>" }`,
      );
    }
    return { path, ...(fromEnv ? { env: env as string } : {}), reason };
  });
}

function readPolicyTemplate(
  field: Record<string, unknown>,
  references: Readonly<Record<string, ReferenceSyntax>>,
  schemes: readonly string[],
  fail: DeclarationProblem,
): PolicyTemplate | undefined {
  const value = own(field, 'policyTemplate');
  if (value === undefined) return undefined;
  const lines = isRecord(value) ? own(value, 'lines') : undefined;
  const example = isRecord(value) ? own(value, 'example') : undefined;
  const shape =
    'is not { "lines": ["provider: …", "  key: value", "# comment", …], "example": "<a reference of its schemes>" }';
  if (
    !Array.isArray(lines) ||
    lines.length === 0 ||
    lines.length > 16 ||
    !lines.every(
      (line) => typeof line === 'string' && line.length <= 200 && templateLine.test(line),
    ) ||
    !lines.some((line) => (line as string).startsWith('provider:')) ||
    typeof example !== 'string' ||
    example.length > 200
  ) {
    throw fail(`has an "ironrun.policyTemplate" that ${shape}`);
  }
  const scheme = example.slice(0, Math.max(0, example.indexOf('://')));
  const syntax = references[scheme];
  if (
    !schemes.includes(scheme) ||
    (syntax !== undefined && !new RegExp(`^(?:${syntax.pattern})$`).test(example))
  ) {
    throw fail(
      `has an "ironrun.policyTemplate.example" ${shown(example)} that is not a reference of its own syntax`,
    );
  }
  return { lines: lines as string[], example };
}

/**
 * Checks the `ironrun` field of a provider's package.json and returns it as a
 * {@link ProviderDeclaration}, every optional list filled in. Calls `fail` with what is
 * wrong (and throws what it returns) for anything but a well-formed declaration.
 *
 * @example
 * const declaration = parseProviderDeclaration(manifest.ironrun, (what) => new Error(`the package ${what}`));
 */
export function parseProviderDeclaration(
  field: unknown,
  fail: DeclarationProblem,
): ProviderDeclaration {
  if (field === undefined) throw fail('does not declare its reference schemes');
  if (!isRecord(field)) throw fail(`has an "ironrun" field that is not an object`);
  const schemes = readSchemes(field, fail);
  const references = readReferences(field, schemes, fail);
  const policyTemplate = readPolicyTemplate(field, references, schemes, fail);
  return {
    schemes,
    references,
    credentials: readCredentials(field, fail),
    credentialPrefixes: names(
      field,
      'credentialPrefixes',
      envName,
      'the start of a variable name',
      fail,
    ),
    programs: names(field, 'programs', programName, 'a program name (never a path)', fail),
    secretFiles: readSecretFiles(field, fail),
    sessionLocations: readSessionLocations(field, fail),
    ...(policyTemplate === undefined ? {} : { policyTemplate }),
  };
}

/** The declaration of a provider known only by its definition: its schemes, nothing else. */
export function schemesOnlyDeclaration(schemes: readonly string[]): ProviderDeclaration {
  return {
    schemes: [...schemes],
    references: {},
    credentials: [],
    credentialPrefixes: [],
    programs: [],
    secretFiles: [],
    sessionLocations: [],
  };
}
