import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { confinedStartLines } from '../agent/confined-start-lines.js';
import { providerSecretLocations } from '../agent/secret-locations.js';
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
  defaultAgents,
  type FilePlan,
  fromOutcome,
  type PolicyFacts,
  readOptional,
} from '../init/agent-configs.js';
import {
  agentInstructions,
  claudeReference,
  type InstructionCommand,
  importsAgentsMd,
} from '../init/agent-instructions.js';
import { agentSnippets, type PrintedSnippet } from '../init/agent-snippets.js';
import {
  type ClaudeProtections,
  claudeDenyRules,
  claudeSandboxFilesystem,
  mergeClaudeSettings,
} from '../init/claude-settings.js';
import { cursorHooksPlan } from '../init/cursor-hooks.js';
import { guardHookCommand, replaceFailOpenGuard } from '../init/guard-hook.js';
import { type IronrunInvocation, ironrunInvocation } from '../init/ironrun-invocation.js';
import {
  removeMarkedSection,
  sectionEnd,
  sectionStart,
  upsertMarkedSection,
} from '../init/marked-section.js';
import type { McpLaunch } from '../init/mcp-configs.js';
import { renderPolicyTemplate } from '../init/policy-template.js';
import { detectProject } from '../init/project-tasks.js';
import { detectTaskToolchain, type TaskToolchain } from '../init/toolchains.js';
import { cliVersion } from '../version.js';

/** The policy's facts, with each command's `args:` rule for the instructions. */
type InitFacts = PolicyFacts & { commands: InstructionCommand[] };

async function readPolicyFacts(path: string, text: string): Promise<InitFacts | undefined> {
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
      commands: policy.commands.map(({ id, args }) =>
        args === undefined
          ? { id }
          : {
              id,
              args: { pattern: args.pattern, max: args.maxCount, allowOptions: args.allowOptions },
            },
      ),
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
  if (value === undefined || value === '') return [...defaultAgents];
  if (value === 'all') return [...allAgents];
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
): Promise<{ plan: FilePlan; facts: InitFacts | undefined }> {
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
  // A third-party package's template comes from its package.json, read without importing it.
  const { isBuiltinProvider, providerDeclaration } = await import('@ironrun/core/provider-facts');
  const template = isBuiltinProvider(provider)
    ? undefined
    : (await providerDeclaration(provider, { projectDir: dir }).catch(() => undefined))
        ?.policyTemplate;
  const { defaultProgramPath } = await import('@ironrun/core');
  const toolchains = new Map<string, TaskToolchain>();
  for (const task of project.tasks)
    toolchains.set(
      task.id,
      detectTaskToolchain(task, { projectDir: dir, env, defaultPath: defaultProgramPath() }),
    );
  const text = renderPolicyTemplate({
    provider,
    projectName,
    tasks: project.tasks,
    toolchains,
    template,
  });
  const facts = (await readPolicyFacts(policyPath, text)) ?? {
    provider,
    ids: project.tasks.map((task) => task.id),
    commands: project.tasks.map(({ id }) => ({ id })),
    envfiles: [],
    maxTtlMs: 600_000,
    confirms: false,
  };
  return { plan: { path: policyPath, status: 'create', text }, facts };
}

function filePlan(path: string, existing: string | undefined, next: string | undefined): FilePlan {
  return next === undefined
    ? { path, status: 'unchanged' }
    : { path, status: existing === undefined ? 'create' : 'update', text: next };
}

/**
 * The instructions, once, in AGENTS.md's marked section (every agent reads
 * it, or is pointed at it); with claude, CLAUDE.md's marked section imports
 * it (`@AGENTS.md`), unless CLAUDE.md imports it already, where an old
 * ironrun section is removed instead.
 */
async function instructionPlans(
  dir: string,
  agents: readonly Agent[],
  commands: readonly InstructionCommand[],
  ironrun: IronrunInvocation,
): Promise<FilePlan[]> {
  const agentsPath = join(dir, 'AGENTS.md');
  const agentsText = await readOptional(agentsPath);
  const plans = [
    filePlan(
      agentsPath,
      agentsText,
      upsertMarkedSection(agentsText, agentInstructions({ commands, ironrun: ironrun.words })),
    ),
  ];
  if (agents.includes('claude')) {
    const claudePath = join(dir, 'CLAUDE.md');
    const claudeText = await readOptional(claudePath);
    if (claudeText !== undefined && importsAgentsMd(claudeText, sectionStart, sectionEnd)) {
      const next = removeMarkedSection(claudeText);
      plans.push({
        ...filePlan(claudePath, claudeText, next),
        note: 'it imports AGENTS.md already',
      });
    } else {
      plans.push(
        filePlan(claudePath, claudeText, upsertMarkedSection(claudeText, claudeReference())),
      );
    }
  }
  return plans;
}

async function singleExecutable(): Promise<boolean> {
  try {
    const sea = await import('node:sea');
    return sea.isSea();
  } catch {
    return false;
  }
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
  env: Readonly<Record<string, string | undefined>>,
): Promise<FilePlan> {
  const path = join(dir, '.claude', 'settings.json');
  const { builtinProviderDeclarations } = await import('@ironrun/core');
  const protections: ClaudeProtections = {
    envfiles,
    configDir,
    programs: [
      ...new Set(
        Object.values(builtinProviderDeclarations()).flatMap((declared) => declared.programs),
      ),
    ],
    vaultFolders: [
      ...new Set(providerSecretLocations(env, env.HOME ?? homedir()).map(({ path }) => path)),
    ],
    projectDir: dir,
  };
  const denyRules = claudeDenyRules(protections);
  const sandbox = claudeSandboxFilesystem(protections);
  const hook = guardHookCommand({ projectDir: dir, ...(bin === undefined ? {} : { bin }) });
  const existing = await readOptional(path);
  const upgraded = replaceFailOpenGuard(existing, hook.command);
  const plan = fromOutcome(
    path,
    mergeClaudeSettings(upgraded ?? existing, { guardCommand: hook.command, denyRules, sandbox }),
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
  snippets: readonly PrintedSnippet[];
  steps: readonly string[];
}

/** The `windsurf` key `--json` has had since before `snippets` (the same snippet, as an object). */
function windsurfJson(snippets: readonly PrintedSnippet[]): Record<string, unknown> {
  const windsurf = snippets.find((snippet) => snippet.agent === 'windsurf');
  return windsurf === undefined
    ? {}
    : { windsurf: { path: windsurf.path, snippet: JSON.parse(windsurf.text) as unknown } };
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
        snippets: report.snippets,
        ...windsurfJson(report.snippets),
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
  for (const snippet of report.snippets) {
    io.out(
      `\n${style.bold(snippet.agent)}: ${snippet.why}.\nMerge this into ${snippet.path} yourself:\n\n${snippet.text}\n`,
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
      "Write ironrun.yml, the chosen agents' MCP configs and protections (guard hooks, deny rules), and agent instructions, without overwriting anything",
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
        'Agents to configure, comma-separated: claude,cursor,vscode,codex,windsurf,gemini,zed,junie,cline,goose, or all (default: claude,cursor,vscode,codex,windsurf)',
    },
    bin: {
      type: 'string',
      valueHint: 'command',
      description:
        'How agents start ironrun, in the MCP configs and the instructions (default: "npx -y @ironrun/cli" for MCP, and the detected install for the instructions; e.g. "ironrun")',
    },
    'claude-hooks': {
      type: 'boolean',
      description:
        'Register `ironrun guard` as a Claude Code PreToolUse hook with deny rules (on by default with claude; --no-claude-hooks to skip)',
    },
    'cursor-hooks': {
      type: 'boolean',
      description:
        'Register `ironrun guard` as Cursor hooks in .cursor/hooks.json (on by default with cursor; --no-cursor-hooks to skip)',
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
      ...(args.bin === undefined ? {} : { guardBin: bin }),
    };
    // The shell form of ironrun for this install: the instructions' lines and the confined-start
    // lines printed below use it (both are typed in the project folder with the person's PATH).
    const invocation = ironrunInvocation({
      projectDir: dir,
      ...(args.bin === undefined ? {} : { bin }),
      version: cliVersion,
      singleExecutable: await singleExecutable(),
      pathEnv: io.env.PATH ?? '',
    });
    const plans: FilePlan[] = [
      policy.plan,
      ...(await agentConfigPlans(agents, context)),
      ...(await instructionPlans(dir, agents, facts?.commands ?? [], invocation)),
    ];
    if (args['claude-hooks'] ?? agents.includes('claude')) {
      const configDir = await ironrunConfigDir(io.env);
      const given = args.bin === undefined ? undefined : bin;
      plans.push(await claudeHooksPlan(dir, given, facts?.envfiles ?? [], configDir, io.env));
    }

    if (args['cursor-hooks'] ?? agents.includes('cursor')) {
      plans.push(await cursorHooksPlan(dir, args.bin === undefined ? undefined : bin));
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
      snippets: await agentSnippets(agents, context),
      steps: [...nextSteps(facts?.envfiles[0]), ...confinedStartLines(agents, invocation.words)],
    };
    if (args.json) printJson(io, report);
    else printText(io, report);
    return ExitCode.OK;
  },
});
