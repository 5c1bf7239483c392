import type { PolicyReview, ReviewText } from '@ironrun/core';
import type { TerminalStyle } from './terminal-style.js';

/** How each normalized review key is named in `ironrun.yml`. */
const policyKeys: Readonly<Record<string, string>> = {
  allowLoaderEnv: 'allow_loader_env',
  ttlMs: 'ttl (ms)',
  noNetwork: 'no_network',
  maxOutputBytes: 'max_output (bytes)',
};

const changeTags: Readonly<Record<string, string>> = {
  new: 'new since the last trust',
  changed: 'changed since the last trust',
  same: 'unchanged',
  unknown: '',
};

/** Lines of unchanged text kept around each change of the diff. */
const diffContext = 2;

/**
 * The text of a reviewed value, marked when it holds a character that can
 * hide or imitate another (the text itself is already escaped).
 */
function shown(value: ReviewText, style: TerminalStyle): string {
  return value.flags.length === 0
    ? value.text
    : `${value.text} ${style.yellow(`⚠ ${value.flags.join(', ')}`)}`;
}

/** The changed lines of the diff, with a little context; `…` where unchanged lines are left out. */
function diffText(diff: NonNullable<PolicyReview['diff']>, style: TerminalStyle): string[] {
  const near = diff.map((_, index) =>
    diff
      .slice(Math.max(0, index - diffContext), index + diffContext + 1)
      .some((entry) => entry.op !== ' '),
  );
  const lines: string[] = [];
  let skipped = false;
  diff.forEach((entry, index) => {
    if (!near[index]) {
      skipped = true;
      return;
    }
    if (skipped) lines.push(style.dim('    …'));
    skipped = false;
    const text = `    ${entry.op} ${shown(entry.line, style)}`;
    lines.push(entry.op === '+' ? style.green(text) : entry.op === '-' ? style.red(text) : text);
  });
  if (skipped) lines.push(style.dim('    …'));
  return lines;
}

/**
 * What `ironrun trust` prints of a {@link PolicyReview} before it asks: the
 * diff against the trusted text, the provider with its options, every field
 * of every command (env with the kind of each value and loader opt-ins), the
 * pins with their current state and what cannot be pinned precisely, and a
 * warning when anything is flagged. Every value is the review's escaped
 * text; `pinState` gives the state shown beside each pinned path (a hash
 * prefix, `absent`, …), by the pin's escaped path.
 */
export function reviewLines(
  review: PolicyReview,
  options: { style: TerminalStyle; pinState: (escapedPath: string) => string },
): string[] {
  const { style } = options;
  const lines: string[] = [];
  if (review.diff !== undefined) {
    if (review.diff.some((entry) => entry.op !== ' ')) {
      lines.push(style.yellow('The policy text, against the one last trusted:'));
      lines.push(...diffText(review.diff, style));
    } else {
      lines.push('The policy text is the one last trusted.');
    }
    lines.push('');
  }
  lines.push(`${style.bold('Provider:')} ${shown(review.provider.name, style)}`);
  for (const option of review.provider.options) lines.push(`    ${shown(option, style)}`);
  lines.push('', style.bold('Commands:'));
  for (const command of review.commands) {
    const tag = changeTags[command.change] ?? command.change;
    lines.push(`  ${style.bold(command.id)}${tag === '' ? '' : `  ${style.yellow(`[${tag}]`)}`}`);
    for (const field of command.fields) {
      if (field.key === 'env') continue;
      const name = (policyKeys[field.key] ?? field.key).padEnd(18);
      if (field.values.length === 0) lines.push(`    ${name} (none)`);
      field.values.forEach((value, index) => {
        lines.push(`    ${index === 0 ? name : ' '.repeat(18)} ${shown(value, style)}`);
      });
    }
    command.env.forEach((entry, index) => {
      const kind =
        entry.kind === 'secret' ? 'secret reference, resolved at run time' : 'plain value';
      const loader =
        entry.loader === undefined
          ? ''
          : style.yellow(` ⚠ makes the program load code: ${entry.loader}`);
      lines.push(
        `    ${(index === 0 ? 'env' : '').padEnd(18)} ${shown(entry.name, style)} = ${shown(entry.value, style)}  ${style.dim(`(${kind})`)}${loader}`,
      );
    });
    if (command.pins.length > 0) {
      lines.push('    pinned (state now, why):');
      for (const pin of command.pins) {
        const state = pin.kind === 'listing' ? 'listing' : options.pinState(pin.path.text);
        lines.push(
          `      ${state.padEnd(12)} ${shown(pin.path, style)}  ${style.dim(pin.reasons.join(', '))}`,
        );
      }
    }
    for (const note of command.notes) {
      lines.push(
        `    ${style.yellow('not pinned precisely:')} ${shown(note.subject, style)}: ${note.reason}`,
      );
    }
  }
  if (review.removed.length > 0) {
    lines.push('', `${style.yellow('Removed since the last trust:')} ${review.removed.join(', ')}`);
  }
  if (review.flagged) {
    lines.push(
      '',
      style.yellow(
        '⚠ Some values hold control, bidirectional, invisible or non-ASCII characters (marked ⚠; the first three are shown as \\u{…}). A name holding them may look like another: check them before you trust.',
      ),
    );
  }
  return lines;
}
