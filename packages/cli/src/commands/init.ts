import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { confinedStartLines } from '../agent/confined-start-lines.js';
import { providerCredentialVariables } from '../builtin-providers.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { POLICY_FILENAME } from '../find-policy.js';
import { claudeDenyRules, mergeClaudeSettings } from '../init/claude-settings.js';
import { agentInstructions, upsertMarkedSection } from '../init/marked-section.js';
import {
  codexServerTable,
  type McpLaunch,
  type MergeOutcome,
  mergeCodexConfig,
  mergeJsonMcpConfig,
} from '../init/mcp-configs.js';
import { renderPolicyTemplate } from '../init/policy-template.js';
import { detectProject } from '../init/project-tasks.js';

const allAgents = ['claude', 'cursor', 'vscode', 'codex', 'windsurf'] as const;
type Agent = (typeof allAgents)[number];

/** One file `init` writes (or would write), and what happened to it. */
interface FilePlan {
  path: string;
  status: 'create' | 'update' | 'unchanged' | 'skipped';
  note?: string;
  text?: string;
}

interface PolicyFacts {
  provider: string;
  ids: string[];
  envfiles: string[];
  maxTtlMs: number;
  confirms: boolean;
  tokenEnv?: string;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

async function readPolicyFacts(path: string, text: string): Promise<PolicyFacts | undefined> {
  try {
    const { parsePolicy } = await import('@ironrun/policy');
    const policy = parsePolicy(text, { filename: path });
    const options = policy.provider.options;
    const rawPath = options.path;
    const envfiles =
      policy.provider.name === 'envfile' && typeof rawPath === 'string'
        ? [isAbsolute(expandHome(rawPath)) ? expandHome(rawPath) : resolve(dirname(path), rawPath)]
        : [];
    return {
      provider: policy.provider.name,
      ids: policy.commands.map((command) => command.id),
      envfiles,
      maxTtlMs: Math.max(60_000, ...policy.commands.map((command) => command.ttlMs)),
      confirms: policy.commands.some((command) => command.confirm),
      ...(typeof options.token_env === 'string' ? { tokenEnv: options.token_env } : {}),
    };
  } catch {
    return undefined;
  }
}

function parseAgents(value: string | undefined): Agent[] {
  if (value === undefined || value === '' || value === 'all') return [...allAgents];
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  for (const name of names) {
    if (!(allAgents as readonly string[]).includes(name)) {
      throw new CliError('USAGE', `Unknown agent "${name}".`, {
        hints: [`Agents: ${allAgents.join(', ')} (comma-separated), or all.`],
      });
    }
  }
  return names as Agent[];
}

function parseBin(value: string | undefined): string[] {
  const words = (value ?? 'npx -y @ironrun/cli').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new CliError('USAGE', '--bin may not be empty.');
  return words;
}

function fromOutcome(path: string, outcome: MergeOutcome): FilePlan {
  if (outcome.status === 'create' || outcome.status === 'update') {
    return { path, status: outcome.status, text: outcome.text };
  }
  const note = 'note' in outcome ? outcome.note : undefined;
  return { path, status: outcome.status, ...(note === undefined ? {} : { note }) };
}

/** `ironrun init`. */
export const initCommand = defineCommand({
  meta: {
    name: 'init',
    description:
      'Write ironrun.yml, the MCP configs of Claude Code, Cursor, VS Code and Codex, and agent instructions, without overwriting anything',
  },
  args: {
    dir: { type: 'positional', required: false, default: '.', description: 'The project folder' },
    provider: {
      type: 'string',
      default: 'envfile',
      valueHint: 'name',
      description:
        'Provider for the new policy: envfile, 1password, doppler, infisical or a package name',
    },
    agents: {
      type: 'string',
      valueHint: 'list',
      description:
        'Agents to configure, comma-separated: claude,cursor,vscode,codex,windsurf (default: all)',
    },
    bin: {
      type: 'string',
      valueHint: 'command',
      description:
        'How agents start ironrun (default: "npx -y @ironrun/cli"; e.g. "ironrun" when installed)',
    },
    claudeHooks: {
      type: 'boolean',
      description: 'Also register `ironrun guard` as a Claude Code PreToolUse hook with deny rules',
    },
    dryRun: { type: 'boolean', description: 'Show what would be written; write nothing' },
    json: jsonArg,
  },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const dir = resolve(io.cwd, args.dir ?? '.');
    const bin = parseBin(args.bin);
    const agents = parseAgents(args.agents);
    const plans: FilePlan[] = [];
    const rel = (path: string) => relative(dir, path) || '.';

    const policyPath = join(dir, POLICY_FILENAME);
    const existingPolicy = await readOptional(policyPath);
    let facts: PolicyFacts | undefined;
    if (existingPolicy === undefined) {
      const project = detectProject(dir);
      let projectName = basename(dir);
      try {
        const pkg = JSON.parse((await readOptional(join(dir, 'package.json'))) ?? '{}') as {
          name?: string;
        };
        if (typeof pkg.name === 'string' && pkg.name !== '')
          projectName = pkg.name.replace(/^@[^/]+\//, '');
      } catch {
        // keep the folder name
      }
      const text = renderPolicyTemplate({
        provider: args.provider,
        projectName,
        tasks: project.tasks,
      });
      plans.push({ path: policyPath, status: 'create', text });
      facts = (await readPolicyFacts(policyPath, text)) ?? {
        provider: args.provider,
        ids: project.tasks.map((task) => task.id),
        envfiles: [],
        maxTtlMs: 600_000,
        confirms: false,
      };
    } else {
      facts = await readPolicyFacts(policyPath, existingPolicy);
      plans.push({
        path: policyPath,
        status: 'unchanged',
        note:
          facts === undefined
            ? 'kept; it does not parse (run `ironrun check`)'
            : 'kept the existing policy',
      });
    }
    const provider = facts?.provider ?? args.provider;

    const launch: McpLaunch = { command: bin[0] as string, args: [...bin.slice(1), 'mcp'] };
    // VS Code and Cursor expand ${workspaceFolder} in mcp.json; the server is not started in the project folder.
    const workspacePolicy = ['--policy', `${'$'}{workspaceFolder}/${POLICY_FILENAME}`];
    if (agents.includes('claude')) {
      const path = join(dir, '.mcp.json');
      const entry = { type: 'stdio', command: launch.command, args: [...launch.args] };
      plans.push(
        fromOutcome(
          path,
          mergeJsonMcpConfig(await readOptional(path), {
            key: 'mcpServers',
            name: 'ironrun',
            entry,
          }),
        ),
      );
    }
    // Cursor and VS Code read the same entry shape, under different keys.
    const workspaceConfigs = [
      { agent: 'cursor', path: join(dir, '.cursor', 'mcp.json'), key: 'mcpServers' },
      { agent: 'vscode', path: join(dir, '.vscode', 'mcp.json'), key: 'servers' },
    ] as const;
    for (const { agent, path, key } of workspaceConfigs) {
      if (!agents.includes(agent)) continue;
      const entry = {
        type: 'stdio',
        command: launch.command,
        args: [...launch.args, ...workspacePolicy],
      };
      plans.push(
        fromOutcome(
          path,
          mergeJsonMcpConfig(await readOptional(path), { key, name: 'ironrun', entry }),
        ),
      );
    }
    if (agents.includes('codex')) {
      const path = join(dir, '.codex', 'config.toml');
      const credentials =
        facts?.tokenEnv !== undefined
          ? [facts.tokenEnv]
          : [...(providerCredentialVariables[provider] ?? [])];
      const envVars = [
        ...new Set([...credentials, 'IRONRUN_CONFIG_DIR', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME']),
      ];
      const maxTtlSec = Math.ceil((facts?.maxTtlMs ?? 600_000) / 1000);
      const toolTimeoutSec = maxTtlSec + 30 + (facts?.confirms ? 300 : 0);
      const table = codexServerTable({ launch, envVars, toolTimeoutSec });
      plans.push(
        fromOutcome(path, mergeCodexConfig(await readOptional(path), { name: 'ironrun', table })),
      );
    }
    const instructions = agentInstructions(facts?.ids ?? []);
    const instructionFiles = [
      ...(agents.includes('claude') ? ['CLAUDE.md'] : []),
      ...(agents.some((agent) => agent !== 'claude') ? ['AGENTS.md'] : []),
    ];
    for (const name of instructionFiles) {
      const path = join(dir, name);
      const existing = await readOptional(path);
      const next = upsertMarkedSection(existing, instructions);
      plans.push(
        next === undefined
          ? { path, status: 'unchanged' }
          : { path, status: existing === undefined ? 'create' : 'update', text: next },
      );
    }
    if (args.claudeHooks) {
      const path = join(dir, '.claude', 'settings.json');
      const denyRules = claudeDenyRules({
        envfiles: facts?.envfiles ?? [],
        configDir: await ironrunConfigDir(io.env),
      });
      const outcome = mergeClaudeSettings(await readOptional(path), {
        guardCommand: [...bin, 'guard'].join(' '),
        denyRules,
      });
      plans.push(fromOutcome(path, outcome));
    }
    const windsurf = agents.includes('windsurf')
      ? {
          mcpServers: {
            ironrun: { command: launch.command, args: [...launch.args, '--policy', policyPath] },
          },
        }
      : undefined;

    if (!args.dryRun) {
      for (const plan of plans) {
        if (plan.text === undefined) continue;
        await mkdir(dirname(plan.path), { recursive: true });
        await writeFile(plan.path, plan.text, { mode: 0o644 });
      }
    }

    const envfile = facts?.envfiles[0];
    const nextSteps = [
      `Review ${POLICY_FILENAME}: the commands, their ttl, and which secrets each receives.`,
      ...(envfile !== undefined
        ? [
            `Put the secrets in ${envfile} (outside the repository; chmod 600), as NAME=value lines.`,
          ]
        : []),
      'Check it: ironrun check --providers',
      'Trust it, as a person at a terminal (never the agent): ironrun trust',
      'Restart your agent so it loads the ironrun MCP server.',
      ...confinedStartLines(agents, bin),
    ];
    if (args.json) {
      io.out(
        `${JSON.stringify(
          {
            dry_run: args.dryRun === true,
            files: plans.map((plan) => ({
              path: plan.path,
              status: plan.status,
              ...(plan.note === undefined ? {} : { note: plan.note }),
              ...(args.dryRun && plan.text !== undefined ? { text: plan.text } : {}),
            })),
            ...(windsurf === undefined
              ? {}
              : { windsurf: { path: '~/.codeium/windsurf/mcp_config.json', snippet: windsurf } }),
            next_steps: nextSteps,
          },
          null,
          2,
        )}\n`,
      );
      return ExitCode.OK;
    }
    const { style } = io;
    const verbs: Record<FilePlan['status'], string> = {
      create: args.dryRun ? 'would create' : 'created',
      update: args.dryRun ? 'would update' : 'updated',
      unchanged: 'unchanged',
      skipped: 'skipped',
    };
    const colour = (status: FilePlan['status']) =>
      status === 'skipped' ? style.yellow : status === 'unchanged' ? style.dim : style.green;
    for (const plan of plans) {
      const note = plan.note === undefined ? '' : style.dim(` (${plan.note})`);
      io.out(`${colour(plan.status)(verbs[plan.status].padEnd(12))} ${rel(plan.path)}${note}\n`);
      if (args.dryRun && plan.text !== undefined) {
        io.out(`${plan.text.replace(/^/gm, style.dim('  | '))}\n`);
      }
    }
    if (windsurf !== undefined) {
      io.out(
        `\nWindsurf reads MCP servers only from your user file ~/.codeium/windsurf/mcp_config.json;\nmerge this into its "mcpServers" yourself:\n\n${JSON.stringify(windsurf, null, 2)}\n`,
      );
    }
    io.out(`\n${style.bold('Next steps')}\n`);
    nextSteps.forEach((step, index) => {
      io.out(`  ${index + 1}. ${step}\n`);
    });
    return ExitCode.OK;
  },
});
