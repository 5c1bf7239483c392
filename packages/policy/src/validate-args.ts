import type { PolicyCommand } from './policy.js';
import { PolicyError } from './policy-error.js';

/** The longest extra argument accepted, in characters. */
export const maxArgLength = 4096;

function preview(arg: string): string {
  const shown = arg.length > 40 ? `${arg.slice(0, 40)}…` : arg;
  return JSON.stringify(shown);
}

function syntaxDetail(error: unknown): string {
  const detail = error instanceof Error ? error.message.split(': ').at(-1) : undefined;
  return detail === undefined ? '' : ` (${detail.slice(0, 80)})`;
}

/**
 * Compiles an `args` pattern so that it can only match a whole argument, or
 * says why it cannot. The pattern must also compile on its own: one that
 * does not, such as `a)|(.*`, would close the `^(?:…)$` group wrapped around
 * it and turn the rule into a top-level alternation that accepts anything.
 * A pattern that compiles alone has balanced groups, classes and escapes, so
 * the wrapping anchors it.
 */
export function compileArgsPattern(
  pattern: string,
): { ok: true; regexp: RegExp } | { ok: false; problem: string } {
  let regexp: RegExp;
  try {
    regexp = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    return { ok: false, problem: `not a valid regular expression${syntaxDetail(error)}` };
  }
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return {
      ok: false,
      problem: `not a valid regular expression on its own${syntaxDetail(error)}: it would close the group that anchors it`,
    };
  }
  return { ok: true, regexp };
}

function reject(command: PolicyCommand, reason: string): never {
  throw new PolicyError('ARGS_REJECTED', `${command.id}: ${reason}`);
}

/**
 * Checks the extra arguments an agent wants to append to a command against
 * the command's `args` rule and returns them (a copy) when all pass. Without
 * an `args` rule no extra argument is accepted. Each argument must be a
 * string of at most 4096 characters without a NUL byte, match the rule's
 * pattern in full, and may start with `-` only when the rule allows options.
 * Throws {@link PolicyError} `ARGS_REJECTED` naming the first argument that
 * fails (shortened to 40 characters).
 *
 * @example
 * const extra = validateArgs(command, ['staging']); // ['staging'] or throws
 */
export function validateArgs(command: PolicyCommand, args: readonly string[]): string[] {
  if (!Array.isArray(args)) reject(command, 'extra arguments must be a list of strings');
  if (args.length === 0) return [];
  const rule = command.args;
  if (rule === undefined) reject(command, 'this command takes no extra arguments');
  if (args.length > rule.maxCount) {
    reject(
      command,
      `at most ${rule.maxCount} extra argument${rule.maxCount === 1 ? '' : 's'}, got ${args.length}`,
    );
  }
  const compiled = compileArgsPattern(rule.pattern);
  if (!compiled.ok) {
    reject(command, 'the args pattern does not compile on its own, so it cannot be anchored');
  }
  const pattern = compiled.regexp;
  return args.map((arg, index) => {
    if (typeof arg !== 'string') reject(command, `extra argument ${index} is not a string`);
    if (arg.includes('\0')) reject(command, `extra argument ${index} contains a NUL byte`);
    if (arg.length > maxArgLength)
      reject(command, `extra argument ${index} is longer than ${maxArgLength} characters`);
    if (!rule.allowOptions && arg.startsWith('-')) {
      reject(
        command,
        `extra argument ${index} ${preview(arg)} starts with "-", and this command allows no options`,
      );
    }
    if (!pattern.test(arg)) {
      reject(
        command,
        `extra argument ${index} ${preview(arg)} does not match the pattern ${rule.pattern}`,
      );
    }
    return arg;
  });
}
