import { parsePolicy, reviewPolicy } from '@ironrun/policy';
import { describe, expect, it } from 'vitest';
import { reviewLines } from './review-lines.js';
import { createStyle } from './terminal-style.js';

const style = createStyle({ isTTY: false });
const pinState = () => '';

function policyText(commands: number, changed?: number): string {
  const lines = ['version: 1', 'provider: envfile', 'commands:'];
  for (let index = 0; index < commands; index++) {
    lines.push(
      `  - id: c${index}`,
      `    argv: [/bin/echo, "${index === changed ? 'new' : index}"]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('reviewLines', () => {
  it('shows each changed line with two lines of context, and … for what it leaves out', () => {
    const before = policyText(10);
    const after = policyText(10, 5);
    const review = reviewPolicy(parsePolicy(after, { filename: '/p/ironrun.yml' }), {
      currentText: after,
      trustedText: before,
    });
    const lines = reviewLines(review, { style, pinState });
    const diff = lines.slice(1, lines.indexOf(''));
    // Each line: four spaces, the op (' ', '-', '+'), a space, the line as written.
    expect(diff).toEqual([
      '    …',
      `      ${'    argv: [/bin/echo, "4"]'}`,
      `      ${'  - id: c5'}`,
      `    - ${'    argv: [/bin/echo, "5"]'}`,
      `    + ${'    argv: [/bin/echo, "new"]'}`,
      `      ${'  - id: c6'}`,
      `      ${'    argv: [/bin/echo, "6"]'}`,
      '    …',
    ]);
    expect(lines).toContain('  c5  [changed since the last trust]');
    expect(lines).toContain('  c4  [unchanged]');
  });

  it('says so when the text is the one last trusted, and shows no diff lines', () => {
    const text = policyText(2);
    const review = reviewPolicy(parsePolicy(text, { filename: '/p/ironrun.yml' }), {
      currentText: text,
      trustedText: text,
    });
    const lines = reviewLines(review, { style, pinState });
    expect(lines[0]).toBe('The policy text is the one last trusted.');
    expect(lines.some((line) => /^ {4}[+-] /.test(line))).toBe(false);
  });
});
