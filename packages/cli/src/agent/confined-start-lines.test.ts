import { describe, expect, it } from 'vitest';
import { confinedStartLines } from './confined-start-lines.js';

describe('confinedStartLines', () => {
  it('prints one line per configured agent, with the launcher the MCP configs use', () => {
    const lines = confinedStartLines(['claude', 'codex'], ['npx', '-y', '@ironrun/cli']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/Claude Code.*: npx -y @ironrun\/cli agent -- claude$/);
    expect(lines[1]).toMatch(/Codex.*: npx -y @ironrun\/cli agent -- codex$/);
  });
});
