import { basename } from 'node:path';
import { parse as parseToml } from 'smol-toml';

/** How the `part` of a structured pin is read from its file. */
export type PinPartFormat = 'json' | 'toml' | 'make';

/** The format a structured pin's file is read in, by its name; `undefined` when no part of it can be pinned. */
export function pinPartFormat(file: string): PinPartFormat | undefined {
  const name = basename(file);
  if (/\.json$/i.test(name)) return 'json';
  if (/\.toml$/i.test(name)) return 'toml';
  if (/^(?:GNUmakefile|[Mm]akefile)$/.test(name) || /\.mk$/i.test(name)) return 'make';
  return undefined;
}

/** JSON with object keys sorted, so the part's hash ignores key order and formatting. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * The key paths of a JSON or TOML part: the dotted path itself and, for a
 * `package.json` script, the `pre` and `post` scripts npm, pnpm and yarn
 * run around it (`scripts.test` also covers `scripts.pretest` and
 * `scripts.posttest`), since those run with the same secrets.
 */
function keyPathsOf(file: string, part: string): string[][] {
  const path = part.split('.');
  const paths = [path];
  if (basename(file) === 'package.json' && path.length === 2 && path[0] === 'scripts') {
    paths.push(['scripts', `pre${path[1]}`], ['scripts', `post${path[1]}`]);
  }
  return paths;
}

/** One logical Makefile line (continuations joined) and whether it is a recipe line. */
interface MakeLine {
  text: string;
  recipe: boolean;
}

function makeLines(text: string): MakeLine[] {
  const physical = text.split(/\r?\n/);
  const lines: MakeLine[] = [];
  for (let index = 0; index < physical.length; index++) {
    let line = physical[index]!;
    while (line.endsWith('\\') && index + 1 < physical.length) {
      line = `${line.slice(0, -1)}\n${physical[++index]!}`;
    }
    lines.push({ text: line, recipe: line.startsWith('\t') });
  }
  return lines;
}

/** `targets: prerequisites` of a rule line, or `undefined` for any other line. */
function ruleOf(line: string): { targets: string[]; prerequisites: string[] } | undefined {
  if (line.startsWith('\t') || /^\s*#/.test(line)) return undefined;
  const match = /^([^:=#]+?)\s*::?(?![=])(.*)$/s.exec(line);
  if (match === null) return undefined;
  const head = match[1]!.trim();
  // `VAR := x`, `VAR ::= x` and `export X := y` are assignments, not rules.
  if (head === '' || /^(?:export|override|define|include|-include|sinclude)\b/.test(head))
    return undefined;
  const rest = (match[2] ?? '').split(';', 1)[0]!.split('#', 1)[0]!;
  if (/^\s*[?+!:]?=/.test(rest)) return undefined;
  const targets = head.split(/\s+/);
  // A target-specific variable (`test: VAR = x`) belongs to the rule's targets.
  const prerequisites = /=/.test(rest) ? [] : rest.replace('|', ' ').split(/\s+/).filter(Boolean);
  return { targets, prerequisites };
}

/**
 * The part of a Makefile a target depends on: the rules of the target and of
 * every target it reaches through prerequisites defined in the file, with
 * their recipes; plus everything that is not a rule of an unreachable target
 * (variables, includes, directives, pattern and special rules), since any of
 * those can change what the target runs. Comments outside recipes are left
 * out. An edit to another target's own rule or recipe changes nothing here.
 */
function makePart(text: string, target: string): string {
  const lines = makeLines(text);
  type Block = { rule?: { targets: string[]; prerequisites: string[] }; lines: string[] };
  const blocks: Block[] = [];
  let current: Block | undefined;
  let defineDepth = 0;
  for (const line of lines) {
    // A `define` body is text for $(eval) or $(call): kept whole, never read as rules.
    if (/^\s*(?:(?:export|override)\s+)*define\b/.test(line.text)) defineDepth++;
    if (defineDepth > 0) {
      if (/^\s*endef\b/.test(line.text)) defineDepth--;
      current = undefined;
      blocks.push({ lines: [line.text] });
      continue;
    }
    if (line.recipe && current?.rule !== undefined) {
      current.lines.push(line.text);
      continue;
    }
    const rule = ruleOf(line.text);
    if (rule !== undefined) {
      current = { rule, lines: [line.text] };
      blocks.push(current);
      continue;
    }
    current = undefined;
    if (line.text.trim() === '' || /^\s*#/.test(line.text)) continue;
    blocks.push({ lines: [line.text] });
  }
  const defined = new Map<string, Block[]>();
  for (const block of blocks) {
    for (const name of block.rule?.targets ?? []) {
      const list = defined.get(name) ?? [];
      list.push(block);
      defined.set(name, list);
    }
  }
  const reached = new Set<string>();
  const queue = [target];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    for (const block of defined.get(name) ?? []) queue.push(...(block.rule?.prerequisites ?? []));
  }
  const kept = blocks.filter((block) => {
    if (block.rule === undefined) return true;
    return block.rule.targets.some(
      (name) => reached.has(name) || name.includes('%') || name.startsWith('.'),
    );
  });
  const found = defined.has(target) ? '' : `\0no rule for ${target}\n`;
  return `${found}${kept.map((block) => block.lines.join('\n')).join('\n')}`;
}

/**
 * The text a structured pin hashes: the canonical JSON of the value at a
 * dotted key path of a JSON or TOML file, or the part of a Makefile a
 * target depends on. A file that does not parse yields its whole text, so
 * any edit to it counts; a missing key yields a marker, so adding it later
 * counts too.
 */
export function pinPartText(file: string, text: string, part: string): string {
  const format = pinPartFormat(file);
  if (format === 'make') return `make\0${makePart(text, part)}`;
  let root: unknown;
  try {
    root = format === 'toml' ? parseToml(text) : JSON.parse(text);
  } catch {
    return `unparsed\0${text}`;
  }
  const values = keyPathsOf(file, part).map((path) => {
    const value = valueAt(root, path);
    return value === undefined ? '\0absent' : canonicalJson(value);
  });
  return `${format}\0${values.join('\0')}`;
}
