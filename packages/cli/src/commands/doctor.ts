import { realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';
import { defineCommand } from 'citty';
import { parse as parseToml } from 'smol-toml';
import { isConfined } from '../agent/agent-confinement.js';
import { confinementChecks } from '../agent/confinement-checks.js';
import { isCliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { jsonArg, policyArg } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import {
  type DoctorCheck,
  envfileCheck,
  guardCheck,
  isolationCheck,
  trustCheck,
} from '../doctor/doctor-checks.js';
import { ExitCode } from '../exit-code.js';
import { resolvePolicyPath } from '../find-policy.js';
import { driftLine, programDrifts } from '../program-drift.js';
import { printable } from '../terminal-style.js';

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return {
    name: 'node',
    status: ok ? 'ok' : 'fail',
    detail: ok
      ? `Node ${process.versions.node}`
      : `Node ${process.versions.node}; ironrun needs 20.19 or newer`,
  };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function onPath(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where a configured MCP command leads, compared with the ironrun running now. */
function describeLaunch(
  entry: { command?: unknown; args?: unknown },
  env: Readonly<Record<string, string | undefined>>,
): { status: DoctorCheck['status']; detail: string } {
  const command = typeof entry.command === 'string' ? entry.command : '';
  const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
  const self = realpathOrSelf(process.argv[1] ?? '');
  const line = [command, ...args].join(' ');
  if (!args.includes('mcp'))
    return { status: 'fail', detail: `"${line}" does not start \`ironrun mcp\`` };
  if (command === 'npx' || command.endsWith('/npx')) {
    return args.some((arg) => arg === '@ironrun/cli' || arg.startsWith('@ironrun/cli@'))
      ? { status: 'ok', detail: `"${line}" (the project's or the registry's @ironrun/cli)` }
      : { status: 'warn', detail: `"${line}" runs npx without @ironrun/cli` };
  }
  const program = isAbsolute(command) ? command : onPath(command, env);
  const target =
    command === 'node' || command.endsWith('/node')
      ? args.find((arg) => arg.endsWith('.js'))
      : program;
  if (target === undefined)
    return { status: 'warn', detail: `"${line}": ${command} is not on PATH` };
  const real = realpathOrSelf(target);
  return real === self
    ? { status: 'ok', detail: `"${line}" → this ironrun (${self})` }
    : { status: 'warn', detail: `"${line}" → ${real}, not this ironrun (${self})` };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function mcpConfigChecks(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<DoctorCheck[]> {
  const files: {
    label: string;
    path: string;
    read: (text: string) => Record<string, unknown> | undefined;
  }[] = [
    { label: 'Claude Code', path: join(dir, '.mcp.json'), read: (t) => JSON.parse(t).mcpServers },
    {
      label: 'Cursor',
      path: join(dir, '.cursor', 'mcp.json'),
      read: (t) => JSON.parse(t).mcpServers,
    },
    {
      label: 'VS Code',
      path: join(dir, '.vscode', 'mcp.json'),
      read: (t) => JSON.parse(t).servers,
    },
    {
      label: 'Codex',
      path: join(dir, '.codex', 'config.toml'),
      read: (t) => (parseToml(t) as { mcp_servers?: Record<string, unknown> }).mcp_servers,
    },
    {
      label: 'Windsurf',
      path: join(homedir(), '.codeium', 'windsurf', 'mcp_config.json'),
      read: (t) => JSON.parse(t).mcpServers,
    },
  ];
  const checks: DoctorCheck[] = [];
  const { builtinProviderDeclarations } = await import('@ironrun/core');
  const credentials = Object.values(await builtinProviderDeclarations()).flatMap((declared) =>
    declared.credentials.map(({ env }) => env),
  );
  for (const file of files) {
    const text = await readOptional(file.path);
    if (text === undefined) continue;
    const name = `mcp ${file.label}`;
    let servers: Record<string, unknown> | undefined;
    try {
      servers = file.read(text);
    } catch {
      checks.push({ name, status: 'warn', detail: `${file.path} does not parse` });
      continue;
    }
    const entry = servers?.ironrun as
      | { command?: unknown; args?: unknown; env?: unknown }
      | undefined;
    if (entry === undefined) {
      checks.push({
        name,
        status: 'warn',
        detail: `${file.path} has no "ironrun" server (run \`ironrun init\`)`,
      });
      continue;
    }
    const launch = describeLaunch(entry, env);
    checks.push({
      name,
      status: launch.status,
      detail: `${relative(dir, file.path) || file.path}: ${launch.detail}`,
    });
    const literal = Object.entries((entry.env ?? {}) as Record<string, unknown>).filter(
      ([key, value]) =>
        credentials.includes(key) && typeof value === 'string' && !/^\$\{?[A-Za-z_]/.test(value),
    );
    if (literal.length > 0) {
      checks.push({
        name,
        status: 'fail',
        detail: `${file.path} holds a literal ${literal.map(([key]) => key).join(', ')}: a vault token in a file the agent can read. Remove it and rotate the token.`,
      });
    }
  }
  if (checks.length === 0) {
    checks.push({
      name: 'mcp',
      status: 'warn',
      detail: 'no MCP config found for this project (run `ironrun init`)',
    });
  }
  return checks;
}

/** `ironrun doctor`. */
export const doctorCommand = defineCommand({
  meta: {
    name: 'doctor',
    description:
      'Check Node, isolation support, trust, provider credentials, the envfile and the MCP configs',
  },
  args: { policy: policyArg, json: jsonArg },
  async run({ args, data }) {
    const io = (data as { io: CliIo }).io;
    const checks: DoctorCheck[] = [nodeCheck()];
    let noNetworkNeeded = false;
    let projectDir = io.cwd;
    const configDir = await ironrunConfigDir(io.env);
    const { checkTrust, probeIsolation, readPolicyWithProviderSchemes } = await import(
      '@ironrun/core'
    );
    try {
      const policyPath = resolvePolicyPath(args.policy, io.cwd);
      projectDir = dirname(policyPath);
      const policy = await readPolicyWithProviderSchemes(policyPath);
      projectDir = policy.dir;
      noNetworkNeeded = policy.commands.some((command) => command.noNetwork);
      checks.push({
        name: 'policy',
        status: 'ok',
        detail: `${policy.path}: ${policy.commands.length} commands, provider ${policy.provider.name}`,
      });
      const { defaultProgramPath } = await import('@ironrun/core');
      const drifts = programDrifts(policy.commands, {
        projectDir: policy.dir,
        env: io.env,
        defaultPath: defaultProgramPath(),
      });
      for (const drift of drifts)
        checks.push({ name: 'toolchain', status: 'warn', detail: driftLine(drift) });
      const trust = await checkTrust(policy.path, { configDir });
      checks.push(
        isConfined(io.env, configDir)
          ? {
              name: 'trust',
              status: 'info',
              detail:
                'checked by the broker outside ironrun agent (the trust store is not readable here)',
            }
          : trustCheck(trust, policy.dir, configDir),
      );
      const { credentialVariables, providerDeclaration, secretFileLocations } = await import(
        '@ironrun/core'
      );
      const declaration = await providerDeclaration(policy.provider.name, {
        projectDir: policy.dir,
      });
      const secretFiles = secretFileLocations(declaration, policy.provider.options, {
        projectDir: policy.dir,
        configDir,
      });
      for (const envfile of secretFiles) checks.push(await envfileCheck(envfile, policy.dir));
      const needed = credentialVariables(declaration, policy.provider.options);
      const present = needed.filter((name) => io.env[name]);
      if (needed.length > 0 && present.length === 0) {
        checks.push({
          name: 'credentials',
          status: 'warn',
          detail: `none of ${needed.join(', ')} is set here; the ${policy.provider.name} provider reads its credential from the environment ironrun starts in`,
        });
      }
    } catch (error) {
      checks.push({
        name: 'policy',
        status: 'fail',
        detail: isCliError(error) || error instanceof Error ? error.message : String(error),
      });
    }
    const { builtinProviderDeclarations, isCredentialVariable } = await import('@ironrun/core');
    const declarations = Object.values(await builtinProviderDeclarations());
    const exposed = Object.keys(io.env).filter(
      (name) => io.env[name] && isCredentialVariable(name, declarations),
    );
    for (const name of exposed) {
      checks.push({
        name: 'credentials',
        status: 'warn',
        detail: `${name} is set in this environment: an agent started from it inherits it and can read it. Register \`ironrun init --claude-hooks\` (guard denies commands that use it) or give it to ironrun alone.`,
      });
    }
    try {
      checks.push(isolationCheck(await probeIsolation(), noNetworkNeeded));
    } catch (error) {
      checks.push({
        name: 'isolation',
        status: 'warn',
        detail: `could not probe: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    checks.push(...(await confinementChecks({ env: io.env, configDir })));
    checks.push(...(await mcpConfigChecks(projectDir, io.env)));
    const settings = await readOptional(join(projectDir, '.claude', 'settings.json'));
    checks.push(guardCheck(settings));

    const failed = checks.some((check) => check.status === 'fail');
    if (args.json) {
      io.out(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
    } else {
      const { style } = io;
      const marks = {
        ok: style.green('✓'),
        warn: style.yellow('!'),
        fail: style.red('✗'),
        info: style.dim('·'),
      };
      for (const check of checks)
        io.out(`${marks[check.status]} ${check.name.padEnd(16)} ${printable(check.detail)}\n`);
    }
    return failed ? ExitCode.FINDING : ExitCode.OK;
  },
});
