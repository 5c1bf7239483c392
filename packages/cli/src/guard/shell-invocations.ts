/**
 * A conservative reading of a shell command line, enough for `ironrun guard`
 * to see which programs it would run: quotes removed, split at `;`, `&`,
 * `|` and newlines, command substitutions and `sh -c` strings read
 * recursively, leading `NAME=value` assignments and wrappers (`sudo`, `env`,
 * `exec`, `nohup`, `timeout`, ...) skipped.
 *
 * Hand-written rather than a shell-parsing library: the hook needs quote
 * removal and nesting but no expansion, must never throw on odd input, and
 * runs before every Bash call, so it should load nothing. It is a filter, not
 * a sandbox: a determined agent can hide a command from it (`eval "$(...)"`,
 * a script it writes first), which is why the seal itself never depends on it.
 */

/** One simple command: its words after quote removal, assignments and wrappers skipped. */
export interface ShellInvocation {
  /** The program word first, then its arguments. */
  readonly words: readonly string[];
  /** `NAME=value` assignments written before the program (or given to `env`). */
  readonly assignments: readonly string[];
}

const maxDepth = 8;
const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'fish']);
const wrappers = new Set([
  'sudo',
  'doas',
  'env',
  'nice',
  'nohup',
  'command',
  'builtin',
  'exec',
  'time',
  'xargs',
  'stdbuf',
  'setsid',
  'ionice',
  'chrt',
  'taskset',
]);
/** Options of wrappers that take the next word as their value. */
const optionsWithValue: Record<string, string[]> = {
  sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-R'],
  doas: ['-u', '-C'],
  env: ['-u', '-C', '-S', '--unset', '--chdir'],
  nice: ['-n'],
  ionice: ['-c', '-n', '-p'],
  stdbuf: ['-i', '-o', '-e'],
  xargs: ['-I', '-n', '-P', '-L', '-s', '-d', '-E', '-a'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
};
const assignment = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

function baseName(word: string): string {
  const index = word.lastIndexOf('/');
  return index === -1 ? word : word.slice(index + 1);
}

/** Finds the `)` closing a `$(` opened just before `start`; returns its index or the end. */
function closingParen(text: string, start: number): number {
  let depth = 1;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return text.length;
}

/** Splits `command` into simple commands of quote-removed words; substitutions become their own. */
function splitSegments(command: string, depth: number, out: string[][]): void {
  let segment: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) segment.push(word);
    word = undefined;
  };
  const endSegment = () => {
    endWord();
    if (segment.length > 0) out.push(segment);
    segment = [];
  };
  const substitute = (inner: string) => {
    if (depth < maxDepth) splitSegments(inner, depth + 1, out);
    word = `${word ?? ''}$(…)`;
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i] as string;
    if (c === '\\') {
      if (command[i + 1] === '\n') {
        i += 2;
        continue;
      }
      word = (word ?? '') + (command[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === "'" || (c === '$' && command[i + 1] === "'")) {
      const open = c === '$' ? i + 2 : i + 1;
      const close = command.indexOf("'", open);
      const end = close === -1 ? command.length : close;
      word = (word ?? '') + command.slice(open, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < command.length && command[j] !== '"') {
        const d = command[j] as string;
        if (d === '\\' && '"\\$`\n'.includes(command[j + 1] ?? '')) {
          text += command[j + 1] === '\n' ? '' : command[j + 1];
          j += 2;
        } else if (d === '$' && command[j + 1] === '(') {
          const close = closingParen(command, j + 2);
          if (depth < maxDepth) splitSegments(command.slice(j + 2, close), depth + 1, out);
          text += '$(…)';
          j = close + 1;
        } else if (d === '`') {
          const close = command.indexOf('`', j + 1);
          const end = close === -1 ? command.length : close;
          if (depth < maxDepth) splitSegments(command.slice(j + 1, end), depth + 1, out);
          text += '$(…)';
          j = end + 1;
        } else {
          text += d;
          j++;
        }
      }
      word = (word ?? '') + text;
      i = j + 1;
      continue;
    }
    if (c === '$' && command[i + 1] === '(') {
      const close = closingParen(command, i + 2);
      substitute(command.slice(i + 2, close));
      i = close + 1;
      continue;
    }
    if (c === '`') {
      const close = command.indexOf('`', i + 1);
      const end = close === -1 ? command.length : close;
      substitute(command.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (c === '#' && word === undefined) {
      const newline = command.indexOf('\n', i);
      i = newline === -1 ? command.length : newline;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (';&|\n(){}'.includes(c)) {
      endSegment();
      i++;
      continue;
    }
    if (c === '<' || c === '>') {
      endWord();
      i++;
      continue;
    }
    word = (word ?? '') + c;
    i++;
  }
  endSegment();
}

/** Skips wrapper programs (`sudo`, `env`, `timeout 5`, ...) to the program they run. */
function unwrap(words: string[], assignments: string[]): string[] {
  let rest = words;
  for (let guard = 0; guard < 16 && rest.length > 0; guard++) {
    while (rest.length > 0 && assignment.test(rest[0] as string)) {
      assignments.push(rest[0] as string);
      rest = rest.slice(1);
    }
    const program = baseName(rest[0] ?? '');
    if (wrappers.has(program) || program === 'timeout') {
      const wrapper = rest;
      const valued = optionsWithValue[program] ?? [];
      rest = rest.slice(1);
      while (rest.length > 0) {
        const option = rest[0] as string;
        if (program === 'env' && assignment.test(option)) {
          assignments.push(option);
          rest = rest.slice(1);
        } else if (option.startsWith('-')) {
          rest = rest.slice(valued.includes(option) ? 2 : 1);
        } else break;
      }
      // `timeout` takes its duration before the program.
      if (program === 'timeout') rest = rest.slice(1);
      // `env` (or `sudo`) alone prints the environment: keep the wrapper as the program.
      if (rest.length === 0) return wrapper;
      continue;
    }
    break;
  }
  return rest;
}

function collect(command: string, depth: number, out: ShellInvocation[]): void {
  const segments: string[][] = [];
  splitSegments(command, depth, segments);
  for (const segment of segments) {
    const assignments: string[] = [];
    const words = unwrap(segment, assignments);
    out.push({ words, assignments });
    const program = baseName(words[0] ?? '');
    if (depth < maxDepth && shells.has(program)) {
      const flag = words.findIndex(
        (word, index) => index > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(word),
      );
      const script = flag === -1 ? undefined : words[flag + 1];
      if (script !== undefined) collect(script, depth + 1, out);
    }
    if (depth < maxDepth && (program === 'eval' || program === 'source' || program === '.')) {
      collect(words.slice(1).join(' '), depth + 1, out);
    }
  }
}

/**
 * The simple commands `command` would run, outermost first, with nested ones
 * (`$(...)`, backticks, `sh -c '...'`, `eval ...`) listed too.
 *
 * @example
 * shellInvocations("FOO=1 sudo op read 'op://v/i/f' | tee x")
 * // [{ words: ['op', 'read', 'op://v/i/f'], assignments: ['FOO=1'] }, { words: ['tee', 'x'], assignments: [] }]
 */
export function shellInvocations(command: string): ShellInvocation[] {
  const out: ShellInvocation[] = [];
  collect(command, 0, out);
  return out;
}

/** The last path component of a program word (`/usr/bin/op` → `op`). */
export function programName(word: string): string {
  return baseName(word);
}
