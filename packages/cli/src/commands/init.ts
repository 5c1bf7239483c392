import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { confinedStartLines } from '../agent/confined-start-lines.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { POLICY_FILENAME } from '../find-policy.js';
import {
  type Agent,
  type AgentContext,
  agentConfigPlans,
  allAgents,
  type FilePlan,
  fromOutcome,
  type PolicyFacts,
  readOptional,
  windsurfSnippet,
} from '../init/agent-configs.js';
import { claudeDenyRules, mergeClaudeSettings } from '../init/claude-settings.js';
import { guardHookCommand, replaceFailOpenGuard } from '../init/guard-hook.js';
import { agentInstructions, upsertMarkedSection } from '../init/marked-section.js';
import type { McpLaunch } from '../init/mcp-configs.js';
import { renderPolicyTemplate } from '../init/policy-template.js';
import { detectProject } from '../init/project-tasks.js';
import { detectTaskToolchain, type TaskToolchain } from '../init/toolchains.js';

async function readPolicyFacts(path: string, text: string): Promise<PolicyFacts | undefined> {
  try {
    const { builtinProviderDeclarations, parsePolicy, providerDeclaration, secretFileLocations } =
      await import('@ironrun/core');
    const policy = parsePolicy(text, {
      filename: path,
      providers: await builtinProviderDeclarations(),
    });
    const options = policy.provider.options;
    const declaration = await providerDeclaration(policy.provider.name, {
      projectDir: dirname(path),
    });
    // The secret files its options name (a default lies in the config folder, guarded apart).
    const envfiles = secretFileLocations(
      { ...declaration, secretFiles: declaration.secretFiles.map(({ option }) => ({ option })) },
      options,
      { projectDir: dirname(path), configDir: dirname(path) },
    );
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

/** The policy's plan: a new one from the project's tasks, or the existing one kept. */
async function policyPlan(
  dir: string,
  policyPath: string,
  provider: string,
  env: CliIo['env'],
): Promise<{ plan: FilePlan; facts: PolicyFacts | undefined }> {
  const existing = await readOptional(policyPath);
  if (existing !== undefined) {
    const facts = await readPolicyFacts(policyPath, existing);
    const note =
      facts === undefined
        ? 'kept; it does not parse (run `ironrun check`)'
        : 'kept the existing policy';
    return { plan: { path: policyPath, status: 'unchanged', note }, facts };
  }
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
  const { defaultProgramPath } = await import('@ironrun/core');
  const toolchains = new Map<string, TaskToolchain>();
  for (const task of project.tasks)
    toolchains.set(
      task.id,
      detectTaskToolchain(task, { projectDir: dir, env, defaultPath: defaultProgramPath() }),
    );
  const text = renderPolicyTemplate({ provider, projectName, tasks: project.tasks, toolchains });
  const facts = (await readPolicyFacts(policyPath, text)) ?? {
    provider,
    ids: project.tasks.map((task) => task.id),
    envfiles: [],
    maxTtlMs: 600_000,
    confirms: false,
  };
  return { plan: { path: policyPath, status: 'create', text }, facts };
}

/** CLAUDE.md for Claude Code, AGENTS.md for the others: the marked section listing the ids. */
async function instructionPlans(
  dir: string,
  agents: readonly Agent[],
  ids: readonly string[],
): Promise<FilePlan[]> {
  const instructions = agentInstructions([...ids]);
  const names = [
    ...(agents.includes('claude') ? ['CLAUDE.md'] : []),
    ...(agents.some((agent) => agent !== 'claude') ? ['AGENTS.md'] : []),
  ];
  const plans: FilePlan[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const existing = await readOptional(path);
    const next = upsertMarkedSection(existing, instructions);
    plans.push(
      next === undefined
        ? { path, status: 'unchanged' }
        : { path, status: existing === undefined ? 'create' : 'update', text: next },
    );
  }
  return plans;
}

/**
 * `.claude/settings.json` with the guard hook and the deny rules (by default
 * with claude; `--no-claude-hooks` skips it). The hook is the installed guard
 * and fails closed (init/guard-hook.ts); a guard hook that can fail open is
 * rewritten.
 */
async function claudeHooksPlan(
  dir: string,
  bin: readonly string[] | undefined,
  envfiles: readonly string[],
  configDir: string,
): Promise<FilePlan> {
  const path = join(dir, '.claude', 'settings.json');
  const { builtinProviderDeclarations } = await import('@ironrun/core');
  const denyRules = claudeDenyRules({
    envfiles,
    configDir,
    programs: [
      ...new Set(
        Object.values(builtinProviderDeclarations()).flatMap((declared) => declared.programs),
      ),
    ],
  });
  const hook = guardHookCommand({ projectDir: dir, ...(bin === undefined ? {} : { bin }) });
  const existing = await readOptional(path);
  const upgraded = replaceFailOpenGuard(existing, hook.command);
  const plan = fromOutcome(
    path,
    mergeClaudeSettings(upgraded ?? existing, { guardCommand: hook.command, denyRules }),
  );
  // The merge saw the rewritten hook as present: the rewrite alone is the update.
  const merged =
    upgraded !== undefined && plan.status === 'unchanged'
      ? { path, status: 'update' as const, text: upgraded }
      : plan;
  return hook.note === undefined ? merged : { ...merged, note: hook.note };
}

function nextSteps(envfile: string | undefined): string[] {
  return [
    `Review ${POLICY_FILENAME}: the commands, their ttl, and which secrets each receives.`,
    ...(envfile !== undefined
      ? [`Put the secrets in ${envfile} (outside the repository; chmod 600), as NAME=value lines.`]
      : []),
    'Check it: ironrun check --providers',
    'Trust it, as a person at a terminal (never the agent): ironrun trust',
    'Restart your agent so it loads the ironrun MCP server.',
  ];
}

interface InitReport {
  dir: string;
  dryRun: boolean;
  plans: readonly FilePlan[];
  windsurf: Record<string, unknown> | undefined;
  steps: readonly string[];
}

function printJson(io: CliIo, report: InitReport): void {
  io.out(
    `${JSON.stringify(
      {
        dry_run: report.dryRun,
        files: report.plans.map((plan) => ({
          path: plan.path,
          status: plan.status,
          ...(plan.note === undefined ? {} : { note: plan.note }),
          ...(report.dryRun && plan.text !== undefined ? { text: plan.text } : {}),
        })),
        ...(report.windsurf === undefined
          ? {}
          : {
              windsurf: { path: '~/.codeium/windsurf/mcp_config.json', snippet: report.windsurf },
            }),
        next_steps: report.steps,
      },
      null,
      2,
    )}\n`,
  );
}

function printText(io: CliIo, report: InitReport): void {
  const { style } = io;
  const rel = (path: string) => relative(report.dir, path) || '.';
  const verbs: Record<FilePlan['status'], string> = {
    create: report.dryRun ? 'would create' : 'created',
    update: report.dryRun ? 'would update' : 'updated',
    unchanged: 'unchanged',
    skipped: 'skipped',
  };
  const colours: Record<FilePlan['status'], (text: string) => string> = {
    create: style.green,
    update: style.green,
    unchanged: style.dim,
    skipped: style.yellow,
  };
  for (const plan of report.plans) {
    const note = plan.note === undefined ? '' : style.dim(` (${plan.note})`);
    io.out(`${colours[plan.status](verbs[plan.status].padEnd(12))} ${rel(plan.path)}${note}\n`);
    if (report.dryRun && plan.text !== undefined) {
      io.out(`${plan.text.replace(/^/gm, style.dim('  | '))}\n`);
    }
  }
  if (report.windsurf !== undefined) {
    io.out(
      `\nWindsurf reads MCP servers only from your user file ~/.codeium/windsurf/mcp_config.json;\nmerge this into its "mcpServers" yourself:\n\n${JSON.stringify(report.windsurf, null, 2)}\n`,
    );
  }
  io.out(`\n${style.bold('Next steps')}\n`);
  report.steps.forEach((step, index) => {
    io.out(`  ${index + 1}. ${step}\n`);
  });
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
    'claude-hooks': {
      type: 'boolean',
      description:
        'Register `ironrun guard` as a Claude Code PreToolUse hook with deny rules (on by default with claude; --no-claude-hooks to skip)',
    },
    'dry-run': { type: 'boolean', description: 'Show what would be written; write nothing' },
    json: jsonArg,
  },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const dir = resolve(io.cwd, args.dir ?? '.');
    const bin = parseBin(args.bin);
    const agents = parseAgents(args.agents);
    const policyPath = join(dir, POLICY_FILENAME);

    const policy = await policyPlan(dir, policyPath, args.provider, io.env);
    const facts = policy.facts;
    const launch: McpLaunch = { command: bin[0] as string, args: [...bin.slice(1), 'mcp'] };
    const context: AgentContext = {
      dir,
      policyPath,
      launch,
      provider: facts?.provider ?? args.provider,
      facts,
    };
    const plans: FilePlan[] = [
      policy.plan,
      ...(await agentConfigPlans(agents, context)),
      ...(await instructionPlans(dir, agents, facts?.ids ?? [])),
    ];
    if (args['claude-hooks'] ?? agents.includes('claude')) {
      const configDir = await ironrunConfigDir(io.env);
      const given = args.bin === undefined ? undefined : bin;
      plans.push(await claudeHooksPlan(dir, given, facts?.envfiles ?? [], configDir));
    }

    if (!args['dry-run']) {
      for (const plan of plans) {
        if (plan.text === undefined) continue;
        await mkdir(dirname(plan.path), { recursive: true });
        await writeFile(plan.path, plan.text, { mode: 0o644 });
      }
    }

    const report: InitReport = {
      dir,
      dryRun: args['dry-run'] === true,
      plans,
      windsurf: agents.includes('windsurf') ? windsurfSnippet(context) : undefined,
      steps: [...nextSteps(facts?.envfiles[0]), ...confinedStartLines(agents, bin)],
    };
    if (args.json) printJson(io, report);
    else printText(io, report);
    return ExitCode.OK;
  },
});
