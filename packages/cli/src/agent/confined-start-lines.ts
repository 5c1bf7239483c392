import { shellWord } from '../init/ironrun-invocation.js';

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
 * under `ironrun agent`, typed in the project folder. `ironrun` is the shell
 * form of ironrun for the install `init` ran from (see `ironrunInvocation`:
 * `--bin`, the project's install, `ironrun` on PATH, an absolute path, or the
 * pinned `npx -y @ironrun/cli@<version>`), the same words the agent
 * instructions use; each word is quoted for `sh` where it needs it.
 */
export function confinedStartLines(
  agents: readonly string[],
  ironrun: readonly string[],
): string[] {
  const shell = ironrun.map(shellWord).join(' ');
  return agents.flatMap((agent) => {
    const known = agentCommands[agent];
    return known === undefined
      ? []
      : [
          `Start ${known.name} confined (no secret or trust record reachable from it): ${shell} agent -- ${known.argv}`,
        ];
  });
}
