import { createHash } from 'node:crypto';
import { parseYamlSource } from './yaml-source.js';

/**
 * What per-command trust compares: for each command id, the SHA-256 of that
 * command's own entry together with everything outside `commands` (version,
 * the provider section): the whole input a command's behaviour is built
 * from. An edit to another command's entry leaves the digest as it was; an
 * edit to the provider section changes every digest.
 */
export interface CommandDigests {
  /** Digest by command id; an id that occurs twice has none (it cannot be trusted apart). */
  byId: Map<string, string>;
}

/** JSON with object keys sorted, so a digest does not depend on key order in the file. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The per-command digests of a policy text, from the same YAML parse the
 * policy loader uses (no anchors, aliases or tags; unique keys), so the data
 * digested is the data validated. Returns `undefined` when the text does not
 * parse to a mapping with a `commands` list: then no command can be trusted
 * apart from the whole file. Needs no provider: it runs before any provider
 * package named by the (not yet trusted) policy is loaded.
 */
export function commandDigests(text: string): CommandDigests | undefined {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const source = parseYamlSource(body);
  if (source.issues.length > 0) return undefined;
  const raw: unknown = source.doc.toJS({ maxAliasCount: 0 });
  if (!isRecord(raw) || !Array.isArray(raw.commands)) return undefined;
  const { commands, ...globals } = raw;
  const shared = canonicalJson(globals);
  const byId = new Map<string, string>();
  const seen = new Set<string>();
  for (const entry of commands as unknown[]) {
    if (!isRecord(entry) || typeof entry.id !== 'string') continue;
    if (seen.has(entry.id)) {
      byId.delete(entry.id);
      continue;
    }
    seen.add(entry.id);
    const digest = createHash('sha256')
      .update(`ironrun-command-v1\0${shared}\0${canonicalJson(entry)}`)
      .digest('hex');
    byId.set(entry.id, digest);
  }
  return { byId };
}
