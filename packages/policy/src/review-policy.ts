import { diffLines } from './line-diff.js';
import { loaderEnvReason } from './loader-env.js';
import type { PinNote, PinPlan, PinReason } from './pin-plan.js';
import type { EnvValue, Policy, PolicyCommand, ProviderReferenceMap } from './policy.js';
import { escapeForReview, type ReviewFlag, type ReviewText } from './review-text.js';
import { referenceSchemes } from './secret-reference.js';
import { validatePolicySource } from './validate-policy.js';

/** One field of a command as the review shows it: its policy key and every value, escaped. */
export interface ReviewField {
  /** The normalized field name (`argv`, `cwd`, `env`, `ttlMs`, … and any field added later). */
  key: string;
  /** Its values: one per list element, one per env entry (`NAME=value`), one for a scalar. */
  values: ReviewText[];
}

/** One env entry of a command. */
export interface ReviewEnv {
  name: ReviewText;
  /** `literal`: passed as is; `secret`: a reference resolved at exec time. */
  kind: EnvValue['kind'];
  /** The plain value or the reference. */
  value: ReviewText;
  /** Set when the name makes the program load code and the command allows it (`allow_loader_env`). */
  loader?: string;
}

/** One pinned path of a command. */
export interface ReviewPin {
  path: ReviewText;
  kind: 'file' | 'listing' | 'part' | 'programs';
  /** For `kind: 'part'`: the key path or Makefile target, escaped. */
  part?: ReviewText;
  reasons: PinReason[];
}

/** What the review shows of one command. */
export interface CommandReview {
  /** The command id (always plain ASCII, by the schema). */
  id: string;
  /** Every field of the command, in a fixed order, then any field this version does not know. */
  fields: ReviewField[];
  /** The env entries, with their kind. */
  env: ReviewEnv[];
  /** What trust pins for this command (when a pin plan was given). */
  pins: ReviewPin[];
  /** What trust cannot pin precisely for this command, and why. */
  notes: { subject: ReviewText; reason: string }[];
  /** Whether this command differs from the trusted policy: `new`, `changed`, `same`, or `unknown` without a trusted text. */
  change: 'new' | 'changed' | 'same' | 'unknown';
  /** Whether any value of the command holds a flagged character. */
  flagged: boolean;
}

/** What `ironrun trust` and the confirm prompt show. */
export interface PolicyReview {
  /** The provider's name and each option (`key=JSON value`), escaped. */
  provider: { name: ReviewText; options: ReviewText[] };
  commands: CommandReview[];
  /** The ids of commands in the trusted policy that are gone. */
  removed: string[];
  /** A line diff against the trusted policy text, each line escaped; `undefined` when there is none to compare with. */
  diff?: { op: ' ' | '+' | '-'; line: ReviewText }[];
  /** Whether anything in the review is flagged. */
  flagged: boolean;
}

/** Options of {@link reviewPolicy}. */
export interface ReviewPolicyOptions {
  /** The pins `planPins(policy)` found, shown per command. @default undefined: no pins shown */
  plan?: PinPlan;
  /** The policy text now, for the diff. @default undefined: no diff */
  currentText?: string;
  /** The text last trusted (`TrustRecord.policyText`), for the diff and per-command changes. @default undefined */
  trustedText?: string;
  /** What each provider declares about its references, to read the trusted text. @default {} */
  providers?: ProviderReferenceMap;
  /** More reference schemes claimed without a declared syntax. @default [] */
  schemes?: readonly string[];
}

const fieldOrder: readonly (keyof PolicyCommand)[] = [
  'description',
  'argv',
  'cwd',
  'path',
  'env',
  'allowLoaderEnv',
  'allow',
  'write',
  'pin',
  'args',
  'confirm',
  'ttlMs',
  'noNetwork',
  'maxOutputBytes',
  'isolation',
  'limits',
];

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function fieldValues(key: string, value: unknown): ReviewText[] {
  if (key === 'env') {
    return Object.entries(value as Record<string, EnvValue>).map(([name, entry]) =>
      escapeForReview(`${name}=${entry.kind === 'secret' ? entry.ref : entry.value}`),
    );
  }
  if (key === 'path' && typeof value === 'string') return value.split(':').map(escapeForReview);
  if (key === 'args' && typeof value === 'object' && value !== null) {
    const args = value as PolicyCommand['args'] & object;
    return [
      escapeForReview(`pattern=${args.pattern}`),
      escapeForReview(`max=${args.maxCount}`),
      escapeForReview(`allow_options=${args.allowOptions}`),
    ];
  }
  if (Array.isArray(value)) return value.map((item) => escapeForReview(show(item)));
  return [escapeForReview(show(value))];
}

function reviewCommand(
  command: PolicyCommand,
  plan: PinPlan | undefined,
  trusted: Map<string, string> | undefined,
): CommandReview {
  const keys = [
    ...fieldOrder.filter((key) => command[key] !== undefined),
    ...Object.keys(command)
      .filter((key) => key !== 'id' && !fieldOrder.includes(key as keyof PolicyCommand))
      .sort(),
  ];
  const fields = keys.map((key) => ({
    key,
    values: fieldValues(key, (command as unknown as Record<string, unknown>)[key]),
  }));
  const env = Object.entries(command.env).map(([name, entry]): ReviewEnv => {
    const review: ReviewEnv = {
      name: escapeForReview(name),
      kind: entry.kind,
      value: escapeForReview(entry.kind === 'secret' ? entry.ref : entry.value),
    };
    const loader = loaderEnvReason(name);
    if (loader !== undefined) review.loader = loader;
    return review;
  });
  const pins = (plan?.pins ?? [])
    .filter((pin) => pin.reasons.some((reason) => reason.command === command.id))
    .map(
      (pin): ReviewPin => ({
        path: escapeForReview(pin.path),
        kind: pin.kind,
        ...(pin.part === undefined ? {} : { part: escapeForReview(pin.part) }),
        reasons: pin.reasons.filter((r) => r.command === command.id).map((r) => r.reason),
      }),
    );
  const notes = [...(plan?.notes ?? []), ...(plan?.problems ?? [])]
    .filter((note: PinNote) => note.command === command.id)
    .map((note) => ({ subject: escapeForReview(note.subject), reason: note.reason }));
  const before = trusted?.get(command.id);
  const change =
    trusted === undefined
      ? 'unknown'
      : before === undefined
        ? 'new'
        : before === JSON.stringify(command)
          ? 'same'
          : 'changed';
  const flagged =
    fields.some((field) => field.values.some((value) => value.flags.length > 0)) ||
    pins.some((pin) => pin.path.flags.length > 0 || (pin.part?.flags.length ?? 0) > 0);
  return { id: command.id, fields, env, pins, notes, change, flagged };
}

function trustedCommands(
  policy: Policy,
  text: string,
  options: ReviewPolicyOptions,
): Map<string, string> | undefined {
  const { policy: trusted } = validatePolicySource(text, {
    displayName: policy.path,
    path: policy.path,
    dir: policy.dir,
    references: referenceSchemes(options.providers ?? {}, options.schemes ?? []),
  });
  if (trusted === undefined) return undefined;
  return new Map(trusted.commands.map((command) => [command.id, JSON.stringify(command)]));
}

/**
 * Everything a person approves when trusting `policy`, as data for the CLI
 * to print: per command every field that changes what runs or what it
 * receives (argv, cwd, `path:`, env names, plain values and references,
 * `allow_loader_env`, `allow`, `pin`, `args` pattern, max and
 * `allow_options`, confirm, ttl, `no_network`, output size, and any field a
 * later version adds), the provider with its options, the pins trust
 * records and what it cannot pin precisely; and, given the last trusted
 * text, a line diff and which commands are new, changed or removed. Every
 * string is escaped by {@link escapeForReview}; `flagged` marks values
 * holding control, bidirectional, invisible or non-ASCII characters.
 *
 * @example
 * const review = reviewPolicy(policy, { plan: await planPins(policy), currentText, trustedText });
 */
export function reviewPolicy(policy: Policy, options: ReviewPolicyOptions = {}): PolicyReview {
  const trusted =
    options.trustedText === undefined
      ? undefined
      : trustedCommands(policy, options.trustedText, options);
  const commands = policy.commands.map((command) => reviewCommand(command, options.plan, trusted));
  const provider = {
    name: escapeForReview(policy.provider.name),
    options: Object.entries(policy.provider.options).map(([key, value]) =>
      escapeForReview(`${key}=${JSON.stringify(value)}`),
    ),
  };
  const ids = new Set(policy.commands.map((command) => command.id));
  const removed = trusted === undefined ? [] : [...trusted.keys()].filter((id) => !ids.has(id));
  const review: PolicyReview = {
    provider,
    commands,
    removed,
    flagged:
      commands.some((command) => command.flagged) ||
      provider.name.flags.length > 0 ||
      provider.options.some((option) => option.flags.length > 0),
  };
  if (options.trustedText !== undefined && options.currentText !== undefined) {
    review.diff = diffLines(options.trustedText, options.currentText).map((entry) => ({
      op: entry.op,
      line: escapeForReview(entry.line),
    }));
  }
  return review;
}

export type { ReviewFlag, ReviewText };
