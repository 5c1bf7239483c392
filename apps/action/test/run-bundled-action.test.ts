import { describe, expect, it } from 'vitest';
import { inputVariable, obeyedCommands, parseGithubOutput } from './run-bundled-action.js';

describe('parseGithubOutput', () => {
  it('reads heredoc blocks and name=value lines', () => {
    const text = 'exit-code<<ghadelimiter_1\n0\nghadelimiter_1\nplain=yes\nmulti<<EOF\na\nb\nEOF\n';
    expect(parseGithubOutput(text)).toEqual({ 'exit-code': '0', plain: 'yes', multi: 'a\nb' });
  });

  it('throws on an unterminated block, so a malformed file fails the test', () => {
    expect(() => parseGithubOutput('x<<END\nvalue\n')).toThrow(/no closing delimiter/);
  });
});

describe('obeyedCommands', () => {
  it('ignores commands between stop-commands and its token, as the runner does', () => {
    const stdout =
      '::add-mask::a%0Ab\n::stop-commands::t0k\n::add-mask::forged\n::t0k::\n::error::real\n';
    expect(obeyedCommands(stdout)).toEqual([
      { name: 'add-mask', data: 'a\nb' },
      { name: 'error', data: 'real' },
    ]);
  });
});

describe('inputVariable', () => {
  it('upper-cases the name and keeps hyphens, as the runner does', () => {
    expect(inputVariable('doppler-token')).toBe('INPUT_DOPPLER-TOKEN');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });
});
