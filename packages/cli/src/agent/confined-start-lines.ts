/** How each agent `init` configures is started from a terminal, by its id in `--agents`. */
const agentCommands: Readonly<Record<string, { name: string; argv: string }>> = {
  claude: { name: 'Claude Code', argv: 'claude' },
  cursor: { name: 'Cursor', argv: 'cursor .' },
  vscode: { name: 'VS Code', argv: 'code .' },
  codex: { name: 'Codex', argv: 'codex' },
  windsurf: { name: 'Windsurf', argv: 'windsurf .' },
  gemini: { name: 'Gemini CLI', argv: 'gemini' },
  zed: { name: 'Zed', argv: 'zed .' },
  goose: { name: 'goose', argv: 'goose session' },
};

/**
 * For each agent `init` configured, the one line that starts it confined
 * under `ironrun agent` (with the same launcher the MCP configs use, such
 * as `npx -y @ironrun/cli`).
 */
export function confinedStartLines(
  agents: readonly string[],
  launcher: readonly string[],
): string[] {
  return agents.flatMap((agent) => {
    const known = agentCommands[agent];
    return known === undefined
      ? []
      : [
          `Start ${known.name} confined (no secret or trust record reachable from it): ${[...launcher, 'agent', '--', known.argv].join(' ')}`,
        ];
  });
}
