import type { ProviderDeclaration } from '@ironrun/core';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import type { MergeOutcome } from './mcp-configs.js';

/**
 * The `shell_environment_policy.exclude` patterns for Codex: every credential variable the
 * providers declare (the policy's own provider with its renaming option applied, and every
 * built-in one), and each declared prefix as a `PREFIX*` pattern (`OP_SESSION_*`). Codex
 * matches these names case-insensitively, `*` as any text.
 */
export function codexExcludes(options: {
  /** Every provider whose variables the agent's shell must not see. */
  declarations: readonly ProviderDeclaration[];
  /** Variables the policy renamed a credential to (`token_env: CI_DOPPLER`). */
  renamed?: readonly string[];
}): string[] {
  const names = new Set<string>(options.renamed ?? []);
  for (const declaration of options.declarations) {
    for (const credential of declaration.credentials) names.add(credential.env);
    for (const prefix of declaration.credentialPrefixes) names.add(`${prefix}*`);
  }
  return [...names];
}

/**
 * Adds `[shell_environment_policy] exclude = […]` to a Codex `config.toml`, so the shell
 * commands Codex runs do not inherit the vault credentials (the MCP server's own
 * environment is set by `[mcp_servers.ironrun] env_vars`, which this does not touch). An
 * existing `exclude` list keeps its entries and order; missing names are appended. The
 * rest of the file stays byte for byte unless the table exists and needs entries, then the
 * file is left alone with a note (rewriting it would drop its comments).
 */
export function mergeCodexShellPolicy(
  existing: string | undefined,
  exclude: readonly string[],
): MergeOutcome {
  if (exclude.length === 0) {
    return existing === undefined
      ? { status: 'unchanged' }
      : { status: 'unchanged', note: 'no credential variables to exclude' };
  }
  const table = stringifyToml({ shell_environment_policy: { exclude: [...exclude] } }).trimEnd();
  if (existing === undefined || existing.trim() === '') {
    return { status: 'create', text: `${table}\n` };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(existing) as Record<string, unknown>;
  } catch {
    return { status: 'skipped', note: 'not valid TOML; add the table below by hand' };
  }
  const policy = parsed.shell_environment_policy as Record<string, unknown> | undefined;
  if (policy === undefined) {
    const separator = existing.endsWith('\n') ? '\n' : '\n\n';
    return { status: 'update', text: `${existing}${separator}${table}\n` };
  }
  const current = Array.isArray(policy.exclude) ? policy.exclude.map(String) : [];
  const lower = new Set(current.map((name) => name.toLowerCase()));
  const missing = exclude.filter((name) => !lower.has(name.toLowerCase()));
  if (missing.length === 0) return { status: 'unchanged' };
  return {
    status: 'unchanged',
    note: `add ${missing.join(', ')} to [shell_environment_policy] exclude by hand, so Codex's shell does not inherit them`,
  };
}

/** Runs two merges of one file in turn: the first's text is the second's input. */
export function chainMerges(
  existing: string | undefined,
  merges: readonly ((text: string | undefined) => MergeOutcome)[],
): MergeOutcome {
  let text = existing;
  let wrote = false;
  const notes: string[] = [];
  for (const merge of merges) {
    const outcome = merge(text);
    if (outcome.status === 'skipped') return outcome;
    if (outcome.status === 'unchanged') {
      if (outcome.note !== undefined) notes.push(outcome.note);
      continue;
    }
    text = outcome.text;
    wrote = true;
  }
  if (!wrote || text === undefined) {
    return notes.length === 0
      ? { status: 'unchanged' }
      : { status: 'unchanged', note: notes.join('; ') };
  }
  return {
    status: existing === undefined || existing.trim() === '' ? 'create' : 'update',
    text,
  };
}

/**
 * The user-level `~/.codex/config.toml` text to merge by hand: Codex reads a project's
 * `.codex/config.toml` only in projects the person trusts, so this starts ironrun (with the
 * policy's absolute path) and keeps the credentials out of Codex's shell everywhere.
 */
export function codexUserSnippet(options: {
  table: Record<string, unknown>;
  policyPath: string;
  exclude: readonly string[];
}): string {
  const args = [
    ...((options.table.args as string[] | undefined) ?? []),
    '--policy',
    options.policyPath,
  ];
  return stringifyToml({
    mcp_servers: { ironrun: { ...options.table, args } },
    ...(options.exclude.length === 0
      ? {}
      : { shell_environment_policy: { exclude: [...options.exclude] } }),
  }).trimEnd();
}
