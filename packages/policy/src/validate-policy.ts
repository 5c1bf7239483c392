import { createHash } from 'node:crypto';
import { delimiter, dirname, isAbsolute, resolve } from 'node:path';
import * as v from 'valibot';
import { parseByteSize } from './byte-size.js';
import { checkLoaderEnv } from './check-loader-env.js';
import { parseDuration } from './duration.js';
import { forbiddenEnvReason } from './env-name.js';
import { parseLimitSize } from './limit-size.js';
import { pinPartFormat } from './pin-part.js';
import type {
  EnvValue,
  ParsePolicyOptions,
  Policy,
  PolicyCommand,
  PolicyLimits,
  PolicyValidation,
} from './policy.js';
import { invalidPolicyError, type PolicyIssue, type PolicyIssueCode } from './policy-error.js';
import { type PolicyFile, policyFileSchema } from './policy-schema.js';
import { hasPathSeparator, isInsideDir } from './project-path.js';
import {
  otherProviderOf,
  type ReferenceSchemes,
  readEnvValue,
  referenceSchemes,
} from './secret-reference.js';
import { findShapeProblems } from './unknown-keys.js';
import { compileArgsPattern } from './validate-args.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** The largest policy text accepted: 1 MiB. */
export const maxPolicyLength = 1024 * 1024;

const defaultTtlMs = 60_000;
const defaultMaxOutputBytes = 16 * 1024;
const defaultArgsMax = 1;

/** Where a policy text comes from, for internal callers that already know its real path. */
export interface PolicySourceContext {
  displayName: string;
  path: string;
  dir: string;
  /** The reference schemes known, compiled once per validation. */
  references: ReferenceSchemes;
}

type Path = (string | number)[];

function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z0-9_$-]{1,64}$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part.length > 32 ? `${part.slice(0, 32)}…` : part)}]`;
  }
  return out;
}

function describeType(input: unknown): string {
  if (input === null || input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'boolean') return 'true/false';
  return `a ${typeof input}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class IssueList {
  readonly issues: PolicyIssue[] = [];
  readonly #seen = new Set<string>();
  constructor(readonly source: YamlSource) {}

  add(
    code: PolicyIssueCode,
    path: Path,
    message: string,
    at: 'key' | 'value' = 'value',
    offset?: number,
  ): void {
    const where = this.source.position(offset ?? this.source.offsetOf(path, at));
    const shown = path.length === 0 ? message : `${formatPath(path)}: ${message}`;
    const dedupe = `${where.line}:${where.column}:${shown}`;
    if (this.#seen.has(dedupe)) return;
    this.#seen.add(dedupe);
    this.issues.push({ code, message: shown, path: [...path], ...where });
  }

  lineOf(path: Path): number {
    return this.source.position(this.source.offsetOf(path)).line;
  }
}

/**
 * When no option of a union matches, valibot reports the union as a whole.
 * Where the input has the type of one option (a mapping for the provider's
 * mapping form), the problems inside that option say more: keep those and
 * drop the plain type mismatches of the other options.
 */
function specificIssues(issue: v.BaseIssue<unknown>): readonly v.BaseIssue<unknown>[] {
  if (issue.type !== 'union' || issue.issues === undefined || Array.isArray(issue.input))
    return [issue];
  // Nested paths are relative to the union.
  const inner = issue.issues
    .filter((nested) => (nested.path?.length ?? 0) > 0 || nested.kind !== 'schema')
    .map(
      (nested) =>
        ({
          ...nested,
          path: [...(issue.path ?? []), ...(nested.path ?? [])],
        }) as v.BaseIssue<unknown>,
    );
  return inner.length === 0 ? [issue] : inner.flatMap(specificIssues);
}

function reportSchemaIssues(list: IssueList, issues: readonly v.BaseIssue<unknown>[]): void {
  for (const issue of issues.flatMap(specificIssues)) {
    const path: Path = (issue.path ?? []).map((item) => item.key as string | number);
    const onKey = issue.path?.at(-1)?.origin === 'key';
    if (issue.kind === 'schema' && issue.type === 'strict_object' && issue.expected === 'never')
      continue;
    if (
      issue.kind === 'schema' &&
      issue.received === 'undefined' &&
      issue.expected?.startsWith('"')
    ) {
      list.add('MISSING_KEY', path.slice(0, -1), `missing required key ${issue.expected}`);
      continue;
    }
    if (issue.kind === 'schema') {
      const message =
        path.length === 1 && path[0] === 'version' && typeof issue.input === 'number'
          ? 'unsupported policy version; this ironrun reads version 1'
          : `expected ${issue.message}, got ${describeType(issue.input)}`;
      list.add('INVALID_TYPE', path, message, onKey ? 'key' : 'value');
      continue;
    }
    list.add('INVALID_VALUE', path, issue.message, onKey ? 'key' : 'value');
  }
}

function checkDuration(list: IssueList, value: unknown, path: Path): void {
  if (typeof value !== 'string') return;
  const result = parseDuration(value);
  // The shape is the schema's to report; only the range is checked here.
  if (!result.ok && result.reason.startsWith('must'))
    list.add('INVALID_VALUE', path, result.reason);
}

function checkRelativeDir(
  list: IssueList,
  context: PolicySourceContext,
  value: unknown,
  path: Path,
): void {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) return;
  if (isAbsolute(value)) {
    list.add('OUTSIDE_PROJECT', path, 'must be relative to the policy folder, not absolute');
  } else if (!isInsideDir(context.dir, resolve(context.dir, value))) {
    list.add('OUTSIDE_PROJECT', path, 'must stay inside the policy folder');
  }
}

function checkEnv(
  list: IssueList,
  context: PolicySourceContext,
  providerName: string | undefined,
  env: unknown,
  path: Path,
): void {
  if (!isRecord(env)) return;
  for (const [name, value] of Object.entries(env)) {
    const reason = name === '__proto__' ? 'the name is reserved' : forbiddenEnvReason(name);
    if (reason !== undefined) {
      list.add(
        'FORBIDDEN_ENV',
        [...path, name],
        `a policy may not set this variable: ${reason}`,
        'key',
      );
    }
    if (typeof value !== 'string' || value.includes('\0')) continue;
    const reading = readEnvValue(value, context.references);
    if (reading.kind === 'error') {
      list.add(reading.code, [...path, name], reading.reason);
      continue;
    }
    const other =
      reading.kind === 'secret'
        ? otherProviderOf(context.references, reading.scheme, providerName)
        : undefined;
    if (reading.kind === 'secret' && other !== undefined) {
      list.add(
        'INVALID_REFERENCE',
        [...path, name],
        `the provider is ${providerName}, which does not resolve ${reading.scheme}:// references (${other} does)`,
      );
    }
  }
}

function checkSearchPath(
  list: IssueList,
  context: PolicySourceContext,
  value: unknown,
  path: Path,
): void {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) return;
  for (const entry of value.split(delimiter)) {
    if (entry === '') {
      list.add('INVALID_VALUE', path, 'has an empty entry, which would mean the current folder');
    } else if (!isAbsolute(entry)) {
      list.add('INVALID_VALUE', path, 'entries must be absolute folders');
    } else if (isInsideDir(context.dir, resolve(entry))) {
      list.add(
        'OUTSIDE_PROJECT',
        path,
        'an entry lies inside the project, where trust does not pin what is found; name a project program by its relative path in argv instead',
      );
    }
  }
}

function checkCommand(
  list: IssueList,
  context: PolicySourceContext,
  providerName: string | undefined,
  defaults: Record<string, unknown>,
  command: Record<string, unknown>,
  at: Path,
): void {
  checkDuration(list, command.ttl, [...at, 'ttl']);
  checkRelativeDir(list, context, command.cwd, [...at, 'cwd']);
  const cwdText =
    typeof command.cwd === 'string'
      ? command.cwd
      : typeof defaults.cwd === 'string'
        ? defaults.cwd
        : '.';
  const cwd = resolve(context.dir, cwdText.includes('\0') ? '.' : cwdText);

  const maxOutput = command.max_output;
  if (typeof maxOutput === 'number' || (typeof maxOutput === 'string' && /^\d/.test(maxOutput))) {
    const result = parseByteSize(maxOutput);
    if (!result.ok && (typeof maxOutput === 'number' || result.reason.startsWith('must'))) {
      list.add('INVALID_VALUE', [...at, 'max_output'], result.reason);
    }
  }

  checkEnv(list, context, providerName, command.env, [...at, 'env']);
  for (const problem of checkLoaderEnv(command.env, command.allow_loader_env))
    list.add('FORBIDDEN_ENV', [...at, ...problem.path], problem.message, problem.at);

  if (Array.isArray(command.argv) && typeof command.argv[0] === 'string') {
    const program = command.argv[0];
    if (program === '') {
      list.add('INVALID_VALUE', [...at, 'argv', 0], 'the program may not be empty');
    } else if (
      hasPathSeparator(program) &&
      !isAbsolute(program) &&
      !isInsideDir(context.dir, resolve(cwd, program))
    ) {
      list.add(
        'OUTSIDE_PROJECT',
        [...at, 'argv', 0],
        'a relative program must stay inside the policy folder (name a program outside it by absolute path)',
      );
    }
  }

  checkSearchPath(list, context, command.path, [...at, 'path']);

  if (Array.isArray(command.allow)) {
    command.allow.forEach((entry, index) => {
      if (typeof entry === 'string' && hasPathSeparator(entry) && !isAbsolute(entry)) {
        if (!isInsideDir(context.dir, resolve(cwd, entry))) {
          list.add(
            'OUTSIDE_PROJECT',
            [...at, 'allow', index],
            'a relative entry must stay inside the policy folder',
          );
        }
      }
    });
  }

  if (Array.isArray(command.write)) {
    command.write.forEach((entry, index) => {
      if (typeof entry !== 'string' || entry === '' || entry.includes('\0')) return;
      if (!isAbsolute(entry) && !isInsideDir(context.dir, resolve(context.dir, entry))) {
        list.add(
          'OUTSIDE_PROJECT',
          [...at, 'write', index],
          'a relative entry must stay inside the policy folder; name a folder outside it by its absolute path',
        );
      } else if (resolve(context.dir, entry) === '/') {
        list.add(
          'INVALID_VALUE',
          [...at, 'write', index],
          'the root folder would let the command write anywhere; name the folders it needs',
        );
      }
    });
  }

  if (Array.isArray(command.pin)) {
    command.pin.forEach((entry, index) => {
      if (!isRecord(entry)) {
        checkRelativeDir(list, context, entry, [...at, 'pin', index]);
        return;
      }
      checkRelativeDir(list, context, entry.file, [...at, 'pin', index, 'file']);
      if (typeof entry.file === 'string' && pinPartFormat(entry.file) === undefined) {
        list.add(
          'INVALID_VALUE',
          [...at, 'pin', index, 'file'],
          'a part can be pinned only in a .json or .toml file or a Makefile (Makefile, makefile, GNUmakefile, *.mk); pin the whole file instead',
        );
      }
      if (
        typeof entry.part === 'string' &&
        typeof entry.file === 'string' &&
        pinPartFormat(entry.file) !== 'make' &&
        entry.part.split('.').some((key) => key === '')
      ) {
        list.add(
          'INVALID_VALUE',
          [...at, 'pin', index, 'part'],
          'expected a dotted key path such as scripts.test (no empty key)',
        );
      }
    });
  }

  if (
    isRecord(command.args) &&
    typeof command.args.pattern === 'string' &&
    command.args.pattern !== ''
  ) {
    const compiled = compileArgsPattern(command.args.pattern);
    if (!compiled.ok) list.add('INVALID_VALUE', [...at, 'args', 'pattern'], compiled.problem);
  }
}

function checkSemantics(list: IssueList, context: PolicySourceContext, raw: unknown): void {
  if (!isRecord(raw)) return;
  const provider = raw.provider;
  const providerName =
    typeof provider === 'string'
      ? provider
      : isRecord(provider) && typeof provider.name === 'string'
        ? provider.name
        : undefined;
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  checkDuration(list, defaults.ttl, ['defaults', 'ttl']);
  checkRelativeDir(list, context, defaults.cwd, ['defaults', 'cwd']);
  if (!Array.isArray(raw.commands)) return;
  const firstIndexById = new Map<string, number>();
  raw.commands.forEach((command: unknown, index) => {
    if (!isRecord(command)) return;
    const at: Path = ['commands', index];
    if (typeof command.id === 'string') {
      const first = firstIndexById.get(command.id);
      if (first === undefined) firstIndexById.set(command.id, index);
      else {
        const line = list.lineOf(['commands', first, 'id']);
        list.add(
          'DUPLICATE_ID',
          [...at, 'id'],
          `duplicate id; commands[${first}] on line ${line} already uses it`,
        );
      }
    }
    checkCommand(list, context, providerName, defaults, command, at);
  });
}

/**
 * Reads env from the raw mapping, not valibot's output: valibot leaves out
 * keys named `constructor` or `prototype`, which are valid variable names.
 */
function normalizeEnvWith(rawEnv: unknown, references: ReferenceSchemes): Record<string, EnvValue> {
  const env = isRecord(rawEnv) ? (rawEnv as Record<string, string | { literal: string }>) : {};
  const entries = Object.entries(env).map(([name, value]): [string, EnvValue] => {
    if (typeof value !== 'string') return [name, { kind: 'literal', value: value.literal }];
    const reading = readEnvValue(value, references);
    return reading.kind === 'secret'
      ? [name, { kind: 'secret', ref: value, scheme: reading.scheme }]
      : [name, { kind: 'literal', value }];
  });
  return Object.fromEntries(entries);
}

function normalize(
  file: PolicyFile,
  context: PolicySourceContext,
  raw: Record<string, unknown>,
): Policy {
  const provider =
    typeof file.provider === 'string'
      ? { name: file.provider, options: {} }
      : (() => {
          const { name, ...options } = raw.provider as Record<string, unknown>;
          return { name: name as string, options };
        })();
  const defaults = file.defaults ?? {};
  const rawCommands = raw.commands as Record<string, unknown>[];
  const commands = file.commands.map((command, index): PolicyCommand => {
    const ttl = command.ttl ?? defaults.ttl;
    const maxOutput =
      command.max_output === undefined ? undefined : parseByteSize(command.max_output);
    const normalized: PolicyCommand = {
      id: command.id,
      argv: [...command.argv],
      env: normalizeEnvWith(rawCommands[index]?.env, context.references),
      ttlMs: ttl === undefined ? defaultTtlMs : (parseDuration(ttl) as { ms: number }).ms,
      noNetwork: command.no_network ?? defaults.no_network ?? false,
      cwd: resolve(context.dir, command.cwd ?? defaults.cwd ?? '.'),
      allow: [...(command.allow ?? [])],
      pin: (command.pin ?? []).filter((entry): entry is string => typeof entry === 'string'),
      confirm: command.confirm ?? false,
      maxOutputBytes: maxOutput?.ok ? maxOutput.bytes : defaultMaxOutputBytes,
    };
    if (command.isolation !== undefined) normalized.isolation = command.isolation;
    if (command.limits !== undefined) normalized.limits = normalizeLimits(command.limits);
    const pinParts = (command.pin ?? []).flatMap((entry) =>
      typeof entry === 'string' ? [] : [{ file: entry.file, part: entry.part }],
    );
    if (pinParts.length > 0) normalized.pinParts = pinParts;
    if (command.description !== undefined) normalized.description = command.description;
    if (command.path !== undefined) normalized.path = command.path;
    if (command.write !== undefined)
      normalized.write = command.write.map((entry) => resolve(context.dir, entry));
    if (command.allow_loader_env !== undefined)
      normalized.allowLoaderEnv = [...command.allow_loader_env];
    if (command.args !== undefined) {
      normalized.args = {
        pattern: command.args.pattern,
        maxCount: command.args.max ?? defaultArgsMax,
        allowOptions: command.args.allow_options ?? false,
      };
    }
    return normalized;
  });
  return { path: context.path, dir: context.dir, sha256: '', version: 1, provider, commands };
}

/** Validates a policy text whose origin is already resolved. Internal: `loadPolicy` and `validatePolicy` share it. */
export function validatePolicySource(
  text: string,
  context: PolicySourceContext,
  parsed?: YamlSource,
): PolicyValidation {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.length > maxPolicyLength) {
    return {
      issues: [
        {
          code: 'INVALID_VALUE',
          message: 'the policy is larger than 1 MiB',
          path: [],
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const source = parsed ?? parseYamlSource(body);
  const list = new IssueList(source);
  list.issues.push(...source.issues);
  if (list.issues.length > 0) return { issues: sortIssues(list.issues) };
  if (source.doc.contents === null) {
    list.add(
      'MISSING_KEY',
      [],
      'the policy is empty; expected a mapping with version, provider and commands',
    );
    return { issues: list.issues };
  }
  const listsForMappings: Path[] = [];
  for (const problem of findShapeProblems(policyFileSchema, source.doc.contents)) {
    if (problem.kind === 'list-for-mapping') {
      listsForMappings.push(problem.path);
      list.add(
        'INVALID_TYPE',
        problem.path,
        'expected a mapping, got a list',
        'value',
        problem.offset,
      );
    } else {
      const hint =
        problem.suggestion === undefined ? '' : `; did you mean "${problem.suggestion}"?`;
      list.add('UNKNOWN_KEY', problem.path, `unknown key${hint}`, 'key', problem.offset);
    }
  }
  const raw: unknown = source.doc.toJS({ maxAliasCount: 0 });
  const result = v.safeParse(policyFileSchema, raw, { abortEarly: false, abortPipeEarly: false });
  if (!result.success) {
    const underList = (issue: v.BaseIssue<unknown>) => {
      const path = (issue.path ?? []).map((item) => item.key);
      return listsForMappings.some((prefix) => prefix.every((part, index) => path[index] === part));
    };
    reportSchemaIssues(
      list,
      result.issues.filter((issue) => !underList(issue)),
    );
  }
  checkSemantics(list, context, raw);
  if (list.issues.length > 0 || !result.success) return { issues: sortIssues(list.issues) };
  const policy = normalize(result.output, context, raw as Record<string, unknown>);
  policy.sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { policy, issues: [] };
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function contextOf(options: ParsePolicyOptions): PolicySourceContext {
  const filename = options.filename;
  const path = filename === undefined || filename === '' ? '' : resolve(filename);
  return {
    displayName: filename === undefined || filename === '' ? '<policy>' : filename,
    path,
    dir: path === '' ? process.cwd() : dirname(path),
    references: referenceSchemes(options.providers ?? {}, options.schemes ?? []),
  };
}

/**
 * Validates a policy text and returns every problem as data, never throwing
 * for bad input: `{ policy }` when it is valid, `{ issues }` otherwise.
 *
 * @example
 * const { policy, issues } = validatePolicy(text, { filename: 'ironrun.yml' });
 * for (const issue of issues) console.error(`ironrun.yml:${issue.line}:${issue.column}: ${issue.message}`);
 */
export function validatePolicy(text: string, options: ParsePolicyOptions = {}): PolicyValidation {
  return validatePolicySource(text, contextOf(options));
}

/**
 * Parses and validates a policy text. Returns the normalized policy, or
 * throws one {@link PolicyError} (`INVALID_POLICY`) listing every problem as
 * `file:line:col: message`.
 *
 * @example
 * const policy = parsePolicy(await readFile('ironrun.yml', 'utf8'), { filename: 'ironrun.yml' });
 */
export function parsePolicy(text: string, options: ParsePolicyOptions = {}): Policy {
  const context = contextOf(options);
  const { policy, issues } = validatePolicySource(text, context);
  if (policy === undefined) throw invalidPolicyError(context.displayName, issues);
  return policy;
}

function normalizeLimits(
  limits: NonNullable<PolicyFile['commands'][number]['limits']>,
): PolicyLimits {
  const out: PolicyLimits = {};
  if (limits.memory !== undefined) out.memoryBytes = parseLimitSize(limits.memory);
  if (limits.file_size !== undefined) out.fileSizeBytes = parseLimitSize(limits.file_size);
  if (limits.processes !== undefined) out.processes = limits.processes;
  if (limits.cpu !== undefined) {
    const cpu = parseDuration(limits.cpu);
    if (cpu.ok) out.cpuSeconds = Math.max(1, Math.ceil(cpu.ms / 1000));
  }
  return out;
}
