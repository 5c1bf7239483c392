import { describe, expect, it } from 'vitest';
import { confinedStartLines } from './confined-start-lines.js';

describe('confinedStartLines', () => {
  it('prints one line per configured agent, with the shell form of ironrun it is given', () => {
    const lines = confinedStartLines(['claude', 'codex'], ['npx', '-y', '@ironrun/cli@1.2.3']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/Claude Code.*: npx -y @ironrun\/cli@1\.2\.3 agent -- claude$/);
    expect(lines[1]).toMatch(/Codex.*: npx -y @ironrun\/cli@1\.2\.3 agent -- codex$/);
  });

  it('quotes a word of the invocation for sh (an install path with a space)', () => {
    const [line] = confinedStartLines(['cursor'], ['/opt/my tools/ironrun']);
    expect(line).toMatch(/: '\/opt\/my tools\/ironrun' agent -- cursor \.$/);
  });

  it('skips an agent it has no start line for', () => {
    expect(confinedStartLines(['unknown-agent'], ['ironrun'])).toEqual([]);
  });
});
