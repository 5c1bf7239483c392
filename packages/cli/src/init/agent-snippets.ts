import { stringify as stringifyYaml } from 'yaml';
import { type Agent, type AgentContext, codexFacts, windsurfSnippet } from './agent-configs.js';
import { codexUserSnippet } from './codex-config.js';

/** A config `init` prints instead of writing: the agent reads it only from a per-user file. */
export interface PrintedSnippet {
  /** The agent it is for. */
  readonly agent: Agent;
  /** Where the person merges it (`~` is their home folder). */
  readonly path: string;
  readonly format: 'json' | 'toml' | 'yaml';
  /** Why it is printed rather than written. */
  readonly why: string;
  /** The text to merge, as that file's format. */
  readonly text: string;
}

/** One printer per agent that reads (some of) its config only from the person's own files. */
const snippetUnits: Partial<Record<Agent, (context: AgentContext) => Promise<PrintedSnippet>>> = {
  async codex(context) {
    const { table, exclude } = await codexFacts(context);
    return {
      agent: 'codex',
      path: '~/.codex/config.toml',
      format: 'toml',
      why: "Codex reads the project's .codex/config.toml only in projects you trust; this user-level copy works everywhere",
      text: codexUserSnippet({ table, policyPath: context.policyPath, exclude }),
    };
  },
  async windsurf(context) {
    return {
      agent: 'windsurf',
      path: '~/.codeium/windsurf/mcp_config.json',
      format: 'json',
      why: 'Windsurf reads MCP servers only from your user file',
      text: JSON.stringify(windsurfSnippet(context), null, 2),
    };
  },
  async cline({ launch, policyPath }) {
    const server = { command: launch.command, args: [...launch.args, '--policy', policyPath] };
    return {
      agent: 'cline',
      path: 'cline_mcp_settings.json (Cline: MCP Servers → Configure)',
      format: 'json',
      why: 'Cline reads MCP servers only from its own settings file in your editor profile',
      text: JSON.stringify(
        { mcpServers: { ironrun: { ...server, disabled: false, autoApprove: [] } } },
        null,
        2,
      ),
    };
  },
  async goose({ launch, policyPath }) {
    const extension = {
      name: 'ironrun',
      type: 'stdio',
      cmd: launch.command,
      args: [...launch.args, '--policy', policyPath],
      enabled: true,
      envs: {},
      timeout: 300,
    };
    return {
      agent: 'goose',
      path: '~/.config/goose/config.yaml',
      format: 'yaml',
      why: 'goose reads its extensions only from your user config',
      text: stringifyYaml({ extensions: { ironrun: extension } }).trimEnd(),
    };
  },
};

/** The snippets to print for the chosen agents, in the order of `agents`' canonical list. */
export async function agentSnippets(
  agents: readonly Agent[],
  context: AgentContext,
): Promise<PrintedSnippet[]> {
  const snippets: PrintedSnippet[] = [];
  for (const [agent, unit] of Object.entries(snippetUnits) as [
    Agent,
    (context: AgentContext) => Promise<PrintedSnippet>,
  ][]) {
    if (agents.includes(agent)) snippets.push(await unit(context));
  }
  return snippets;
}
