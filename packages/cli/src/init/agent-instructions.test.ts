import { describe, expect, it } from 'vitest';
import { agentInstructions, claudeReference, importsAgentsMd } from './agent-instructions.js';
import { sectionEnd, sectionStart, upsertMarkedSection } from './marked-section.js';
import { makeArgsRule, testArgsRule } from './test-args.js';

const pytest = testArgsRule('pytest');
const pytestArgs = { pattern: pytest.pattern, max: pytest.max, allowOptions: pytest.allowOptions };

describe('agentInstructions', () => {
  it('names the tools, the ids and the shell form it is given, and forbids trust and the vault CLIs', () => {
    const text = agentInstructions({
      commands: [{ id: 'test' }, { id: 'deploy' }],
      ironrun: ['pnpm', 'exec', 'ironrun'],
    });
    expect(text).toMatch(/`run_sealed` tool/);
    expect(text).toMatch(/`list_commands`/);
    expect(text).toMatch(/Commands: `test`, `deploy`\./);
    expect(text).toMatch(/^ {2}pnpm exec ironrun list$/m);
    expect(text).toMatch(/^ {2}pnpm exec ironrun run test$/m);
    expect(text).toMatch(/`test`, `deploy` take no arguments\./);
    expect(text).toMatch(/Never run `ironrun trust`/);
    expect(text).toMatch(/`op`, `doppler`, `infisical`/);
    // No shell form other than the one given, and no promise of arguments none of them takes.
    expect(text).not.toMatch(/`ironrun run|npx/);
    expect(text).not.toMatch(/one test file or a name filter included/);
    expect(text).toMatch(/Run these commands only this way: do not start/);
  });

  it("shows a command's args with a run_sealed call and a shell line, both of its rule's example", () => {
    const text = agentInstructions({
      commands: [{ id: 'test', args: pytestArgs }, { id: 'build' }],
      ironrun: ['npx', '-y', '@ironrun/cli@1.2.3'],
    });
    expect(text).toContain(`- \`test\`: ${pytest.summary}.`);
    expect(text).toContain(
      '`run_sealed` with `{"id":"test","args":["tests/test_example.py","-k","test_name"]}`',
    );
    expect(text).toContain(
      '`npx -y @ironrun/cli@1.2.3 run test -- tests/test_example.py -k test_name`',
    );
    expect(text).toMatch(/`build` takes no arguments\./);
    // The old blanket rule is gone: one test file or a filter goes through ironrun, with args.
    expect(text).not.toMatch(/Never run those commands directly/);
    expect(text).toMatch(/one test file or a name filter included/);
  });

  it("shows a Makefile test target's VARIABLE=PATH rule with its example", () => {
    const rule = makeArgsRule('TESTS');
    const text = agentInstructions({
      commands: [
        { id: 'test', args: { pattern: rule.pattern, max: rule.max, allowOptions: false } },
      ],
      ironrun: ['ironrun'],
    });
    expect(text).toContain(`- \`test\`: ${rule.summary}.`);
    expect(text).toContain(
      '`run_sealed` with `{"id":"test","args":["TESTS=test/example.test.js"]}`',
    );
    expect(text).toContain('`ironrun run test -- TESTS=test/example.test.js`');
  });

  it('shows a hand-written args rule as its pattern, with no example that might not match', () => {
    const text = agentInstructions({
      commands: [
        { id: 'deploy', args: { pattern: 'staging|production', max: 1, allowOptions: false } },
      ],
      ironrun: ['ironrun'],
    });
    expect(text).toContain(
      '- `deploy`: up to 1 arguments, each matching `/staging|production/` in full; no options.',
    );
    expect(text).not.toMatch(/For example/);
    // The same pattern with a different max is not init's rule either.
    const widened = agentInstructions({
      commands: [{ id: 'test', args: { ...pytestArgs, max: 50 } }],
      ironrun: ['ironrun'],
    });
    expect(widened).not.toMatch(/For example/);
  });

  it('quotes an absolute path with spaces for the shell', () => {
    const text = agentInstructions({
      commands: [{ id: 'test' }],
      ironrun: ['/home/a b/bin/ironrun'],
    });
    expect(text).toMatch(/^ {2}'\/home\/a b\/bin\/ironrun' run test$/m);
  });
});

describe('claudeReference and importsAgentsMd', () => {
  it('CLAUDE.md imports AGENTS.md on a line of its own, which importsAgentsMd sees only outside the section', () => {
    expect(claudeReference()).toMatch(/^@AGENTS\.md$/m);
    const ours = upsertMarkedSection('# Rules\n', claudeReference()) as string;
    expect(importsAgentsMd(ours, sectionStart, sectionEnd)).toBe(false);
    expect(importsAgentsMd('# Rules\n@AGENTS.md\n', sectionStart, sectionEnd)).toBe(true);
    expect(importsAgentsMd('@./AGENTS.md\n', sectionStart, sectionEnd)).toBe(true);
    // In backticks or a code fence, an @ line imports nothing.
    expect(importsAgentsMd('Use `@AGENTS.md`\n', sectionStart, sectionEnd)).toBe(false);
    expect(importsAgentsMd('```\n@AGENTS.md\n```\n', sectionStart, sectionEnd)).toBe(false);
    expect(importsAgentsMd('@AGENTS.md.bak\n', sectionStart, sectionEnd)).toBe(false);
  });
});
