import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { POLICY_FILENAME } from '../find-policy.js';
import { chainMerges, codexExcludes, mergeCodexShellPolicy } from './codex-config.js';
import { mergeGeminiHooks } from './gemini-settings.js';
import { guardHookCommand, shellQuote } from './guard-hook.js';
import {
  codexServerTable,
  type McpLaunch,
  type MergeOutcome,
  mergeCodexConfig,
  mergeJsonMcpConfig,
} from './mcp-configs.js';

/** The agents `init` configures, in the order their files are planned. */
export const allAgents = [
  'claude',
  'cursor',
  'vscode',
  'codex',
  'windsurf',
  'gemini',
  'zed',
  'junie',
  'cline',
  'goose',
] as const;

/** One of {@link allAgents}. */
export type Agent = (typeof allAgents)[number];

/** The agents `init` configures without `--agents` (`--agents all` adds the others). */
export const defaultAgents: readonly Agent[] = ['claude', 'cursor', 'vscode', 'codex', 'windsurf'];

/** One file `init` writes (or would write), and what happened to it. */
export interface FilePlan {
  path: string;
  status: 'create' | 'update' | 'unchanged' | 'skipped';
  note?: string;
  text?: string;
}

/** What `init` learned from the policy it wrote or kept. */
export interface PolicyFacts {
  provider: string;
  ids: string[];
  envfiles: string[];
  maxTtlMs: number;
  confirms: boolean;
  tokenEnv?: string;
}

/** What every agent's unit needs to plan its file. */
export interface AgentContext {
  dir: string;
  policyPath: string;
  launch: McpLaunch;
  provider: string;
  facts: PolicyFacts | undefined;
  /** `--bin` when it was given: the guard hooks run it (`<bin> guard`) instead of the found guard. */
  guardBin?: readonly string[];
}

/** A file's text, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A merge outcome as a {@link FilePlan}. */
export function fromOutcome(path: string, outcome: MergeOutcome): FilePlan {
  if (outcome.status === 'create' || outcome.status === 'update') {
    return { path, status: outcome.status, text: outcome.text };
  }
  const note = 'note' in outcome ? outcome.note : undefined;
  return { path, status: outcome.status, ...(note === undefined ? {} : { note }) };
}

// VS Code and Cursor expand ${workspaceFolder} in mcp.json; the server is not started in the project folder.
const workspacePolicy = ['--policy', `${'$'}{workspaceFolder}/${POLICY_FILENAME}`];

/** Cursor and VS Code read the same entry shape, under different keys. */
async function workspaceMcpJson(
  { launch }: AgentContext,
  path: string,
  key: 'mcpServers' | 'servers',
): Promise<FilePlan> {
  const entry = {
    type: 'stdio',
    command: launch.command,
    args: [...launch.args, ...workspacePolicy],
  };
  return fromOutcome(
    path,
    mergeJsonMcpConfig(await readOptional(path), { key, name: 'ironrun', entry }),
  );
}

/**
 * One unit per agent: the file it plans, or none (Windsurf, Cline and Goose read only a
 * user file, which `init` prints as a snippet instead, see init/agent-snippets.ts).
 */
const agentUnits: Record<Agent, (context: AgentContext) => Promise<FilePlan | undefined>> = {
  async claude({ dir, launch }) {
    const path = join(dir, '.mcp.json');
    const entry = { type: 'stdio', command: launch.command, args: [...launch.args] };
    return fromOutcome(
      path,
      mergeJsonMcpConfig(await readOptional(path), { key: 'mcpServers', name: 'ironrun', entry }),
    );
  },
  cursor: (context) =>
    workspaceMcpJson(context, join(context.dir, '.cursor', 'mcp.json'), 'mcpServers'),
  vscode: (context) =>
    workspaceMcpJson(context, join(context.dir, '.vscode', 'mcp.json'), 'servers'),
  async codex(context) {
    const path = join(context.dir, '.codex', 'config.toml');
    const { table, exclude } = await codexFacts(context);
    return fromOutcome(
      path,
      chainMerges(await readOptional(path), [
        (text) => mergeCodexConfig(text, { name: 'ironrun', table }),
        (text) => mergeCodexShellPolicy(text, exclude),
      ]),
    );
  },
  windsurf: async () => undefined,
  // Gemini CLI runs in the project folder and starts its servers there, like Claude Code.
  // Its BeforeTool hook runs the guard, failing closed (init/gemini-settings.ts).
  async gemini({ dir, launch, guardBin }) {
    const path = join(dir, '.gemini', 'settings.json');
    const entry = { command: launch.command, args: [...launch.args] };
    const hook = guardHookCommand({
      projectDir: dir,
      projectDirWord: shellQuote(dir),
      ...(guardBin === undefined ? {} : { bin: guardBin }),
    });
    const plan = fromOutcome(
      path,
      chainMerges(await readOptional(path), [
        (text) => mergeJsonMcpConfig(text, { key: 'mcpServers', name: 'ironrun', entry }),
        (text) => mergeGeminiHooks(text, hook.command),
      ]),
    );
    return hook.note === undefined ? plan : { ...plan, note: hook.note };
  },
  // Zed and JetBrains are IDEs: their servers need not start in the project, so the policy is named.
  async zed({ dir, launch, policyPath }) {
    const path = join(dir, '.zed', 'settings.json');
    const entry = {
      source: 'custom',
      command: launch.command,
      args: [...launch.args, '--policy', policyPath],
      env: {},
    };
    return fromOutcome(
      path,
      mergeJsonMcpConfig(await readOptional(path), {
        key: 'context_servers',
        name: 'ironrun',
        entry,
      }),
    );
  },
  async junie({ dir, launch, policyPath }) {
    const path = join(dir, '.junie', 'mcp', 'mcp.json');
    const entry = { command: launch.command, args: [...launch.args, '--policy', policyPath] };
    return fromOutcome(
      path,
      mergeJsonMcpConfig(await readOptional(path), { key: 'mcpServers', name: 'ironrun', entry }),
    );
  },
  cline: async () => undefined,
  goose: async () => undefined,
};

/**
 * What Codex gets: the `[mcp_servers.ironrun]` table, and the credential variables its
 * shell must not inherit, from the provider declarations (the policy's provider, with
 * `token_env` applied, and every built-in one).
 */
export async function codexFacts({ dir, launch, provider, facts }: AgentContext): Promise<{
  table: Record<string, unknown>;
  exclude: string[];
}> {
  const { builtinProviderDeclarations, credentialVariables, providerDeclaration } = await import(
    '@ironrun/core'
  );
  const declared = await providerDeclaration(provider, { projectDir: dir }).catch(() => undefined);
  const options = facts?.tokenEnv === undefined ? {} : { token_env: facts.tokenEnv };
  const credentials = declared === undefined ? [] : credentialVariables(declared, options);
  const envVars = [
    ...new Set([...credentials, 'IRONRUN_CONFIG_DIR', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME']),
  ];
  const maxTtlSec = Math.ceil((facts?.maxTtlMs ?? 600_000) / 1000);
  const toolTimeoutSec = maxTtlSec + 30 + (facts?.confirms ? 300 : 0);
  const table = codexServerTable({ launch, envVars, toolTimeoutSec });
  const exclude = codexExcludes({
    declarations: [
      ...(declared === undefined ? [] : [declared]),
      ...Object.values(builtinProviderDeclarations()),
    ],
    renamed: credentials,
  });
  return { table, exclude };
}

/** The MCP config files of the chosen agents, in {@link allAgents} order. */
export async function agentConfigPlans(
  agents: readonly Agent[],
  context: AgentContext,
): Promise<FilePlan[]> {
  const plans: FilePlan[] = [];
  for (const agent of allAgents) {
    if (!agents.includes(agent)) continue;
    const plan = await agentUnits[agent](context);
    if (plan !== undefined) plans.push(plan);
  }
  return plans;
}

/** What to merge into Windsurf's user file `~/.codeium/windsurf/mcp_config.json`. */
export function windsurfSnippet({ launch, policyPath }: AgentContext): Record<string, unknown> {
  return {
    mcpServers: {
      ironrun: { command: launch.command, args: [...launch.args, '--policy', policyPath] },
    },
  };
}
