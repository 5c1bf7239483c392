import { describe, expect, it } from 'vitest';
import { shellInvocations } from './shell-invocations.js';

const programs = (command: string) =>
  shellInvocations(command).map((invocation) => invocation.words[0]);

describe('shellInvocations', () => {
  it('splits at ;, &&, || and pipes', () => {
    expect(programs('a 1; b && c || d | e & f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('removes quotes and backslashes the way the shell does', () => {
    expect(shellInvocations(`o''p r"ea"d 'op://v/i/f' \\x`)[0]?.words).toEqual([
      'op',
      'read',
      'op://v/i/f',
      'x',
    ]);
  });

  it('skips assignments and wrappers to the program they run', () => {
    const [invocation] = shellInvocations(
      'A=1 sudo -E env B=2 nohup timeout -s KILL 5 doppler run -- x',
    );
    expect(invocation?.words.slice(0, 2)).toEqual(['doppler', 'run']);
    expect(invocation?.assignments).toEqual(['A=1', 'B=2']);
  });

  it('keeps env alone as the program (it prints the environment)', () => {
    expect(programs('env')).toEqual(['env']);
    expect(programs('env -0 | grep X')).toEqual(['env', 'grep']);
  });

  it('reads command substitutions, backticks, sh -c strings and eval', () => {
    expect(programs('echo "$(op read x)" `doppler me`')).toEqual(
      expect.arrayContaining(['op', 'doppler', 'echo']),
    );
    expect(programs(`bash -lc 'infisical secrets'`)).toContain('infisical');
    expect(programs('eval "op read x"')).toContain('op');
  });

  it('ignores comments', () => {
    expect(programs('ls # op read x')).toEqual(['ls']);
  });

  it('never throws on unbalanced quotes or deep nesting', () => {
    expect(() => shellInvocations(`echo "unterminated $(op 'x`)).not.toThrow();
    expect(() => shellInvocations('$('.repeat(500))).not.toThrow();
    expect(programs(`echo "unterminated $(op 'x`)).toContain('op');
  });
});
