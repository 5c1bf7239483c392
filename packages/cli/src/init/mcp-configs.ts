import { isDeepStrictEqual } from 'node:util';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';

/** How an agent starts the ironrun MCP server. */
export interface McpLaunch {
  readonly command: string;
  readonly args: readonly string[];
}

/** The outcome of merging ironrun into one config file. */
export type MergeOutcome =
  | { status: 'create' | 'update'; text: string }
  | { status: 'unchanged'; note?: string }
  | { status: 'skipped'; note: string };

/**
 * The JSON object an agent's settings file holds (`{}` when it is absent or blank), or the
 * skipped outcome saying why it cannot be merged: `notJson` when the text does not parse,
 * `notObject` when it parses to something other than an object.
 */
export function readSettingsObject(
  existing: string | undefined,
  notes: { notJson: string; notObject: string },
): { root: Record<string, unknown> } | { skipped: MergeOutcome } {
  if (existing === undefined || existing.trim() === '') return { root: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(existing);
  } catch {
    return { skipped: { status: 'skipped', note: notes.notJson } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { skipped: { status: 'skipped', note: notes.notObject } };
  }
  return { root: parsed as Record<string, unknown> };
}

function indentOf(text: string): number | string {
  const match = /^([ \t]+)\S/m.exec(text);
  if (match?.[1] === undefined) return 2;
  return match[1].includes('\t') ? '\t' : match[1].length;
}

/**
 * Merges `servers.<name>` (or `mcpServers.<name>`) into a JSON MCP config,
 * keeping everything else. An existing entry of that name is left alone (the
 * user may have changed it on purpose); an unreadable file is never touched.
 */
export function mergeJsonMcpConfig(
  existing: string | undefined,
  options: {
    key: 'mcpServers' | 'servers' | 'context_servers';
    name: string;
    entry: Record<string, unknown>;
  },
): MergeOutcome {
  const { key, name, entry } = options;
  if (existing === undefined || existing.trim() === '') {
    return { status: 'create', text: `${JSON.stringify({ [key]: { [name]: entry } }, null, 2)}\n` };
  }
  const read = readSettingsObject(existing, {
    notJson: 'not plain JSON (comments?); add the entry below by hand',
    notObject: 'the file is not a JSON object; add the entry by hand',
  });
  if ('skipped' in read) return read.skipped;
  const { root } = read;
  const servers = root[key];
  if (
    servers !== undefined &&
    (typeof servers !== 'object' || servers === null || Array.isArray(servers))
  ) {
    return { status: 'skipped', note: `"${key}" is not an object; add the entry by hand` };
  }
  const table = (servers ?? {}) as Record<string, unknown>;
  if (name in table) {
    return isDeepStrictEqual(table[name], entry)
      ? { status: 'unchanged' }
      : {
          status: 'unchanged',
          note: `kept the existing "${name}" entry, which differs from ironrun's default`,
        };
  }
  const merged = { ...root, [key]: { ...table, [name]: entry } };
  return { status: 'update', text: `${JSON.stringify(merged, null, indentOf(existing))}\n` };
}

/** The `[mcp_servers.ironrun]` table of a Codex `config.toml`. */
export function codexServerTable(options: {
  launch: McpLaunch;
  envVars: readonly string[];
  toolTimeoutSec: number;
}): Record<string, unknown> {
  return {
    command: options.launch.command,
    args: [...options.launch.args],
    // Codex passes MCP servers only a default allowlist of variables; these are the ones ironrun reads.
    env_vars: [...options.envVars],
    startup_timeout_sec: 30,
    tool_timeout_sec: options.toolTimeoutSec,
  };
}

/**
 * Appends `[mcp_servers.<name>]` to a Codex `config.toml`, leaving the rest of
 * the file byte for byte as it was (comments included). An existing table of
 * that name is left alone; an unparsable file is never touched.
 */
export function mergeCodexConfig(
  existing: string | undefined,
  options: { name: string; table: Record<string, unknown> },
): MergeOutcome {
  const snippet = stringifyToml({ mcp_servers: { [options.name]: options.table } });
  if (existing === undefined || existing.trim() === '') {
    return { status: 'create', text: `${snippet.trimEnd()}\n` };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(existing) as Record<string, unknown>;
  } catch {
    return { status: 'skipped', note: 'not valid TOML; add the table below by hand' };
  }
  const servers = parsed.mcp_servers as Record<string, unknown> | undefined;
  if (servers !== undefined && options.name in servers) {
    // smol-toml builds null-prototype objects; compare plain data.
    const current: unknown = JSON.parse(JSON.stringify(servers[options.name]));
    return isDeepStrictEqual(current, options.table)
      ? { status: 'unchanged' }
      : { status: 'unchanged', note: `kept the existing [mcp_servers.${options.name}] table` };
  }
  const separator = existing.endsWith('\n') ? '\n' : '\n\n';
  return { status: 'update', text: `${existing}${separator}${snippet.trimEnd()}\n` };
}
