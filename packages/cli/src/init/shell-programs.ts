/**
 * The programs a shell command line starts, read without running a shell: the
 * first word of each simple command, after `VAR=value` assignments and
 * wrappers such as `exec`, `env` or `time`. Command substitutions (`$(…)`,
 * backticks) and expansions (`${…}`, `$VAR`) are removed first, so that the
 * programs inside them are never taken for the line's own (what they run is
 * decided when the line runs), and a word made by an expansion is skipped.
 *
 * It is a reading for `init` (which toolchain a script needs), not a parser a
 * security decision rests on: trust pins what the policy runs, not this.
 */
export function shellPrograms(line: string): string[] {
  const programs: string[] = [];
  for (const command of simpleCommands(withoutSubstitutions(line))) {
    const words = command.split(/\s+/).filter((word) => word !== '');
    let index = 0;
    while (index < words.length) {
      const word = words[index] as string;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || wrappers.has(word)) {
        index += 1;
        continue;
      }
      // `env -i`, `time -p`, `exec -a name`: a wrapper's options
      if (word.startsWith('-') && index > 0 && wrappers.has(words[index - 1] as string)) {
        index += 1;
        continue;
      }
      break;
    }
    const program = words[index];
    if (program === undefined || keywords.has(program)) continue;
    // a quoted, expanded or odd word is not a program name this reading can trust
    if (!/^[A-Za-z0-9_.+/-]+$/.test(program)) continue;
    if (!programs.includes(program)) programs.push(program);
  }
  return programs;
}

const wrappers = new Set(['exec', 'env', 'time', 'command', 'nohup', 'nice', 'builtin', '!']);

/** Shell words that start no program: keywords and the builtins scripts use most. */
const keywords = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'in',
  'do',
  'done',
  'while',
  'until',
  'case',
  'esac',
  '{',
  '}',
  '(',
  ')',
  '[',
  '[[',
  'cd',
  'echo',
  'printf',
  'test',
  'true',
  'false',
  'export',
  'set',
  'unset',
  'source',
  '.',
  ':',
  'exit',
  'return',
  'shift',
  'read',
  'wait',
  'trap',
  'eval',
  'local',
]);

/**
 * `line` with `$(…)`, `` `…` ``, `${…}` and `$((…))` each replaced by one
 * placeholder character that no program name holds, so a command whose
 * program is a substitution is skipped as a whole; nesting counted.
 */
const substituted = '\u0001';

function withoutSubstitutions(line: string): string {
  let out = '';
  let index = 0;
  while (index < line.length) {
    const char = line[index] as string;
    if (char === '\\') {
      out += line.slice(index, index + 2);
      index += 2;
      continue;
    }
    if (char === '`') {
      const end = line.indexOf('`', index + 1);
      out += substituted;
      index = end === -1 ? line.length : end + 1;
      continue;
    }
    if (char === '$' && (line[index + 1] === '(' || line[index + 1] === '{')) {
      const open = line[index + 1] as string;
      const close = open === '(' ? ')' : '}';
      let depth = 0;
      let end = index + 1;
      for (; end < line.length; end += 1) {
        if (line[end] === open) depth += 1;
        else if (line[end] === close) {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      out += substituted;
      index = end + 1;
      continue;
    }
    out += char;
    index += 1;
  }
  return out;
}

/** The simple commands of a line: split at `;`, `&`, `|`, `&&`, `||`, newlines, and subshell parentheses. */
function simpleCommands(line: string): string[] {
  return line.split(/&&|\|\||[;&|\n()]/);
}

/**
 * The recipe of `target` in a Makefile's text: the tab-indented lines after
 * its rule line, with make's own line prefixes (`@`, `-`, `+`) removed and
 * backslash continuations joined.
 */
export function makeRecipe(text: string, target: string): string[] {
  const lines = text.split(/\r?\n/);
  const recipe: string[] = [];
  let inTarget = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (line.startsWith('\t')) {
      if (!inTarget) continue;
      let body = line.slice(1);
      while (body.endsWith('\\') && index + 1 < lines.length) {
        index += 1;
        body = `${body.slice(0, -1)} ${(lines[index] as string).replace(/^\t/, '')}`;
      }
      recipe.push(body.replace(/^[\s@+-]+/, ''));
      continue;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const rule = /^([^:=#\t][^:=#]*?)\s*::?(?!=)(.*)$/.exec(line);
    if (rule === null) {
      inTarget = false;
      continue;
    }
    inTarget = (rule[1] as string).split(/\s+/).includes(target);
    // `target: deps ; recipe` on one line
    const inline = (rule[2] as string).indexOf(';');
    if (inTarget && inline !== -1) recipe.push((rule[2] as string).slice(inline + 1).trim());
  }
  return recipe;
}
