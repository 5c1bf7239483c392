/**
 * A conservative reader of one shell command line, enough for `ironrun guard`
 * to see which programs it would run and which paths it names, and to say
 * when it cannot tell.
 *
 * Hand-written rather than a parsing library: `sh-syntax` (mvdan/sh as WASM)
 * hands JavaScript only the position of each command, not its words, and
 * tree-sitter-bash (web-tree-sitter) costs more to load than the whole guard
 * may take (see the CLI README, "Why the guard reads the shell itself"). The
 * reader does what the guard needs: quote removal (`'…'`, `"…"`, `$'…'`,
 * backslashes), splitting at `;`, `&`, `|`, `&&`, `||`, newlines, `( )` and
 * `{ }`, variables assigned earlier in the same line, `cd`, command and
 * process substitutions, here-documents, redirections, globs and braces.
 *
 * It never guesses. A part whose value it cannot know (the output of
 * `$(…)`, a variable it was not told, `$1`) becomes an `unknown` token that
 * matches any text, and a construct it does not read fully (an unbalanced
 * quote, `case`, arithmetic holding a substitution, a here-document without
 * its end) is reported in {@link ShellReading.problems}. The guard denies on
 * either where it matters: that is what "fails closed" means here.
 */

/** One piece of a word as a pattern: a literal character, a glob, or an unknown value. */
export type PatternToken =
  | { readonly kind: 'char'; readonly char: string }
  /** Glob `*` (or a brace range): any run of characters without `/`. */
  | { readonly kind: 'star' }
  /** Glob `?` or `[…]`: one character other than `/`. */
  | { readonly kind: 'one' }
  /** Brace expansion `{a,b}`: one of the options. */
  | { readonly kind: 'alt'; readonly options: readonly (readonly PatternToken[])[] }
  /** A value the reader cannot know (`$(…)`, an unset variable): any text, `/` included. */
  | { readonly kind: 'unknown' };

/** One word after quote removal and the expansions the reader can do. */
export interface ShellWord {
  /** The word as text; unknown parts read `$(…)`. */
  readonly text: string;
  /** The word as a pattern (for globs and unknown parts). */
  readonly tokens: readonly PatternToken[];
  /** True when `text` is exactly what the shell passes (no glob, brace or unknown part). */
  readonly literal: boolean;
  /** True when some part of the word is unknown. */
  readonly opaque: boolean;
}

/** A redirection of one simple command (`< file`, `> file`, `<<EOF`). */
export interface ShellRedirect {
  readonly operator: string;
  readonly target: ShellWord;
}

/** One simple command: its words after quote removal, assignments and wrappers skipped. */
export interface ShellInvocation {
  /** The program word first, then its arguments (text form). */
  readonly words: readonly string[];
  /** `NAME=value` assignments written before the program (or given to `env`). */
  readonly assignments: readonly string[];
  /** The same words as {@link ShellWord}s (for pattern matching). */
  readonly shellWords: readonly ShellWord[];
  /** The assignments' values as {@link ShellWord}s. */
  readonly assignmentWords: readonly ShellWord[];
  /** Redirections, here-documents included. */
  readonly redirects: readonly ShellRedirect[];
  /** The words before wrappers (`sudo`, `env`, `timeout 5`, `xargs`) were skipped. */
  readonly wrappers: readonly string[];
  /** The working folder the command runs in, `undefined` after a `cd` the reader could not follow. */
  readonly cwd: string | undefined;
  /** True when a `cd` came before it in the line (its relative paths moved). */
  readonly afterCd: boolean;
  /** True when it reads its standard input from a pipe. */
  readonly pipedInput: boolean;
  /** Text fed on its standard input by a here-document or here-string, when known. */
  readonly stdinText: string | undefined;
  /** True when that text is not fully known (an unquoted here-document with substitutions). */
  readonly stdinOpaque: boolean;
  /** How deep in `sh -c`, `$(…)` or `eval` it sits (0: the line itself). */
  readonly depth: number;
}

/** What {@link readShell} understood of a command line. */
export interface ShellReading {
  /** Every simple command, outermost first, nested ones (`$(…)`, `sh -c '…'`, `eval`) too. */
  readonly invocations: readonly ShellInvocation[];
  /** Constructs the reader did not fully understand, in words (empty when it read everything). */
  readonly problems: readonly string[];
}

/** What the reader may assume about the shell the line runs in. */
export interface ShellContext {
  /** The working folder. */
  readonly cwd: string;
  /** The home folder (`~`, `$HOME`). */
  readonly home: string;
  /** Variables the shell inherits; any other variable is unknown. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The top folder of the git work tree holding a folder, for `$(git rev-parse --show-toplevel)`. */
  readonly gitTopLevel?: (cwd: string) => string | undefined;
}

const maxDepth = 8;
const maxLength = 256 * 1024;
const maxAlternatives = 64;
const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox']);
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
  'timeout',
  'strace',
  'ltrace',
  'unbuffer',
  'catchsegv',
  'chronic',
  'nsenter',
  'unshare',
  'firejail',
  'proot',
  'flock',
  'caffeinate',
  'systemd-run',
]);
/** Options of wrappers that take the next word as their value. */
const optionsWithValue: Record<string, readonly string[]> = {
  exec: ['-a'],
  sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-R', '--user', '--group'],
  doas: ['-u', '-C'],
  env: ['-u', '-C', '-S', '--unset', '--chdir', '--split-string'],
  nice: ['-n', '--adjustment'],
  ionice: ['-c', '-n', '-p'],
  stdbuf: ['-i', '-o', '-e'],
  xargs: ['-I', '-i', '-n', '-P', '-L', '-l', '-s', '-d', '-E', '-e', '-a', '--arg-file'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  strace: ['-o', '-e', '-p', '-s', '-u', '-E'],
  ltrace: ['-o', '-e', '-p', '-s', '-u'],
  chrt: ['-p'],
  taskset: ['-p'],
  flock: ['-w', '-E', '--timeout', '--conflict-exit-code'],
  'systemd-run': ['-p', '-u', '--unit', '--property', '-E', '--setenv'],
};
/** Wrappers whose first word after the options is not the program (`timeout 5 x`, `flock file x`, `taskset 0x1 x`). */
const wrapperOperand = new Set(['timeout', 'flock', 'taskset', 'chrt']);
/** Keywords that start or end a compound command: the next word is a program again. */
const keywords = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
  'function',
  'coproc',
]);
const assignmentPattern = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=/;
const declarers = new Set(['export', 'local', 'declare', 'typeset', 'readonly']);

function baseName(word: string): string {
  const index = word.lastIndexOf('/');
  return index === -1 ? word : word.slice(index + 1);
}

/** A word being built: its text and its tokens. */
class WordBuilder {
  text = '';
  tokens: PatternToken[] = [];
  literal = true;
  opaque = false;
  started = false;

  addLiteral(chars: string): void {
    this.started = true;
    this.text += chars;
    for (const char of chars) this.tokens.push({ kind: 'char', char });
  }

  addUnknown(): void {
    this.started = true;
    this.text += '$(…)';
    this.tokens.push({ kind: 'unknown' });
    this.literal = false;
    this.opaque = true;
  }

  addGlob(char: string, token: PatternToken): void {
    this.started = true;
    this.text += char;
    this.tokens.push(token);
    this.literal = false;
  }

  /** Adds an expansion's value; unquoted, a value the shell would split or glob is unknown. */
  addValue(value: string | undefined, quoted: boolean): void {
    if (value === undefined || (!quoted && /[\s*?[]/.test(value))) this.addUnknown();
    else this.addLiteral(value);
  }

  build(): ShellWord {
    return { text: this.text, tokens: this.tokens, literal: this.literal, opaque: this.opaque };
  }
}

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  target: { text: string | undefined; opaque: boolean };
}

interface RawCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
  pipedInput: boolean;
  heredocs: PendingHeredoc[];
  hereString: ShellWord | undefined;
}

/** The shell state the reader carries along the line. */
interface ShellState {
  cwd: string | undefined;
  afterCd: boolean;
  /** Variables assigned in the line; `undefined` means assigned a value the reader cannot know. */
  vars: Map<string, string | undefined>;
}

class Reader {
  readonly #context: ShellContext;
  readonly #problems: string[];
  readonly #out: ShellInvocation[];

  constructor(context: ShellContext, problems: string[], out: ShellInvocation[]) {
    this.#context = context;
    this.#problems = problems;
    this.#out = out;
  }

  problem(text: string): void {
    if (!this.#problems.includes(text)) this.#problems.push(text);
  }

  lookup(name: string, state: ShellState): string | undefined {
    if (state.vars.has(name)) return state.vars.get(name);
    if (name === 'HOME') return this.#context.home;
    if (name === 'PWD') return state.cwd;
    const value = this.#context.env?.[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /**
   * Reads a command list from `text` starting at `start`, until the end or an
   * unmatched `)` when `inParens` is set; returns the index after it.
   */
  readList(text: string, start: number, depth: number, state: ShellState, inParens: boolean) {
    let i = start;
    let command: RawCommand = newCommand(false);
    let word = new WordBuilder();
    const heredocQueue: PendingHeredoc[] = [];
    let pendingRedirect: string | undefined;
    const scopes: { cwd: string | undefined; afterCd: boolean }[] = [];
    let wordWasQuoted = false;

    const endWord = () => {
      if (!word.started) return;
      const built = word.build();
      word = new WordBuilder();
      if (pendingRedirect !== undefined) {
        const operator = pendingRedirect;
        pendingRedirect = undefined;
        if (operator === '<<' || operator === '<<-') {
          const heredoc: PendingHeredoc = {
            delimiter: built.text,
            quoted: wordWasQuoted,
            stripTabs: operator === '<<-',
            target: { text: undefined, opaque: false },
          };
          command.heredocs.push(heredoc);
          heredocQueue.push(heredoc);
        } else if (operator === '<<<') {
          command.hereString = built;
        } else {
          command.redirects.push({ operator, target: built });
        }
        return;
      }
      command.words.push(built);
    };
    const endCommand = (nextPiped: boolean) => {
      endWord();
      if (pendingRedirect !== undefined) {
        this.problem('a redirection without a target');
        pendingRedirect = undefined;
      }
      if (command.words.length > 0 || command.redirects.length > 0) {
        // A command waits for its here-document bodies, which start on the next line.
        if (heredocQueue.length > 0 || queued.length > 0) queued.push(command);
        else this.finish(command, depth, state);
      }
      command = newCommand(nextPiped);
    };
    const queued: RawCommand[] = [];
    const flush = () => {
      if (heredocQueue.length > 0) readHeredocBodies();
      for (const waiting of queued.splice(0)) this.finish(waiting, depth, state);
    };
    const readHeredocBodies = () => {
      // The bodies start on the line after the operator.
      while (heredocQueue.length > 0) {
        const heredoc = heredocQueue.shift() as PendingHeredoc;
        let body = '';
        let found = false;
        while (i < text.length) {
          const newline = text.indexOf('\n', i);
          const lineEnd = newline === -1 ? text.length : newline;
          let line = text.slice(i, lineEnd);
          i = newline === -1 ? text.length : newline + 1;
          if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
          if (line === heredoc.delimiter) {
            found = true;
            break;
          }
          body += `${line}\n`;
        }
        if (!found) this.problem('a here-document without its end line');
        if (heredoc.quoted) heredoc.target.text = body;
        else {
          const expanded = this.expandText(body, depth, state);
          heredoc.target.text = expanded.text;
          heredoc.target.opaque = expanded.opaque;
        }
      }
    };

    while (i < text.length) {
      const c = text[i] as string;
      const next = text[i + 1];
      if (c === '\\') {
        if (next === '\n') {
          i += 2;
          continue;
        }
        if (next === undefined) {
          this.problem('a backslash at the end of the line');
          i++;
          continue;
        }
        word.addLiteral(next);
        i += 2;
        continue;
      }
      if (c === "'") {
        const close = text.indexOf("'", i + 1);
        if (close === -1) this.problem('an unbalanced quote');
        const end = close === -1 ? text.length : close;
        word.addLiteral(text.slice(i + 1, end));
        wordWasQuoted = true;
        i = end + 1;
        continue;
      }
      if (c === '$' && next === "'") {
        const { value, end } = readAnsiC(text, i + 2);
        if (end === -1) this.problem('an unbalanced quote');
        word.addLiteral(value);
        wordWasQuoted = true;
        i = end === -1 ? text.length : end + 1;
        continue;
      }
      if (c === '"') {
        i = this.readDoubleQuoted(text, i + 1, word, depth, state);
        wordWasQuoted = true;
        continue;
      }
      if (c === '$' || c === '`') {
        i = this.readExpansion(text, i, word, false, depth, state);
        continue;
      }
      if (c === '#' && !word.started) {
        const newline = text.indexOf('\n', i);
        i = newline === -1 ? text.length : newline;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        endWord();
        i++;
        continue;
      }
      if (c === '\n') {
        endCommand(false);
        i++;
        flush();
        continue;
      }
      if ((c === '<' || c === '>') && next === '(') {
        // Process substitution: its commands run; the word is a /dev/fd path.
        const end = this.readList(text, i + 2, depth + 1, cloneState(state), true);
        word.addUnknown();
        i = end;
        continue;
      }
      if (c === '<' || c === '>' || (c === '&' && next === '>')) {
        // A leading file-descriptor number belongs to the operator.
        if (word.started && /^\d+$/.test(word.text) && word.literal) word = new WordBuilder();
        else endWord();
        const operator = (
          /^(<<<|<<-|<<|<>|<&|>&|>>|>\||&>>|&>|<|>)/.exec(text.slice(i)) as RegExpExecArray
        )[0];
        i += operator.length;
        if (operator === '>&' || operator === '<&') {
          // `2>&1`, `>&-`: a descriptor, not a file.
          const descriptor = /^(\d+-?|-)/.exec(text.slice(i));
          if (descriptor !== null) {
            i += descriptor[0].length;
            continue;
          }
        }
        pendingRedirect = operator;
        wordWasQuoted = false;
        continue;
      }
      if (c === '|' || c === '&' || c === ';') {
        if (c === '|' && next === '|') {
          endCommand(false);
          i += 2;
        } else if (c === '|') {
          endCommand(true);
          i += next === '&' ? 2 : 1;
        } else if (c === '&' && next === '&') {
          endCommand(false);
          i += 2;
        } else if (c === ';' && next === ';') {
          this.problem('a `case` statement');
          endCommand(false);
          i += 2;
        } else {
          endCommand(false);
          i++;
        }
        continue;
      }
      if (c === '(') {
        if (word.started) {
          // `name()`: a function definition; its body is read as commands.
          if (next === ')') {
            word = new WordBuilder();
            i += 2;
            continue;
          }
          // `=(…)` array assignment or `@(…)` extended glob.
          const end = this.readList(text, i + 1, depth + 1, cloneState(state), true);
          word.addUnknown();
          i = end;
          continue;
        }
        if (next === '(') {
          this.problem('an arithmetic command `((…))`');
        }
        endCommand(false);
        flush();
        scopes.push({ cwd: state.cwd, afterCd: state.afterCd });
        i++;
        continue;
      }
      if (c === ')') {
        if (scopes.length > 0) {
          endCommand(false);
          flush();
          const scope = scopes.pop() as { cwd: string | undefined; afterCd: boolean };
          state.cwd = scope.cwd;
          // A relative path after the subshell may still be read as if moved: keep the flag.
          state.afterCd = state.afterCd || scope.afterCd;
          i++;
          continue;
        }
        if (inParens) {
          endCommand(false);
          flush();
          return i + 1;
        }
        this.problem('an unbalanced `)`');
        endCommand(false);
        i++;
        continue;
      }
      if (!word.started && (c === '{' || c === '}') && isWordEnd(text[i + 1])) {
        endCommand(false);
        i++;
        continue;
      }
      if (c === '{') {
        const brace = readBrace(text, i);
        if (brace !== undefined) {
          word.addGlob(text.slice(i, brace.end + 1), brace.token);
          i = brace.end + 1;
          continue;
        }
      }
      if (c === '*' || c === '?') {
        if (c === '?' || next !== '(') {
          word.addGlob(c, c === '*' ? { kind: 'star' } : { kind: 'one' });
          i++;
          continue;
        }
      }
      if (c === '[') {
        const close = text.indexOf(']', i + 2);
        const inner = close === -1 ? '' : text.slice(i + 1, close);
        if (close !== -1 && inner !== '' && !/[\s'"[]/.test(inner)) {
          word.addGlob(text.slice(i, close + 1), { kind: 'one' });
          i = close + 1;
          continue;
        }
      }
      if (c === '~' && !word.started) {
        const rest = /^~([A-Za-z0-9._-]*)(?=\/|$|[\s;&|)])/.exec(text.slice(i));
        if (rest !== null) {
          if (rest[1] === '') word.addLiteral(this.#context.home);
          else word.addUnknown();
          i += rest[0].length;
          continue;
        }
      }
      if (!word.started) wordWasQuoted = false;
      word.addLiteral(c);
      i++;
    }
    endCommand(false);
    flush();
    if (inParens) this.problem('an unbalanced `(`');
    if (scopes.length > 0) this.problem('an unbalanced `(`');
    return text.length;
  }

  /** Reads `"…"` from `start` (after the quote) into `word`; returns the index after the closing quote. */
  readDoubleQuoted(
    text: string,
    start: number,
    word: WordBuilder,
    depth: number,
    state: ShellState,
  ): number {
    let j = start;
    word.started = true;
    while (j < text.length && text[j] !== '"') {
      const d = text[j] as string;
      if (d === '\\' && '"\\$`\n'.includes(text[j + 1] ?? '')) {
        if (text[j + 1] !== '\n') word.addLiteral(text[j + 1] as string);
        j += 2;
      } else if (d === '$' || d === '`') {
        j = this.readExpansion(text, j, word, true, depth, state);
      } else {
        word.addLiteral(d);
        j++;
      }
    }
    if (j >= text.length) {
      this.problem('an unbalanced quote');
      return text.length;
    }
    return j + 1;
  }

  /** Reads one `$…` or backtick expansion at `start`; returns the index after it. */
  readExpansion(
    text: string,
    start: number,
    word: WordBuilder,
    quoted: boolean,
    depth: number,
    state: ShellState,
  ): number {
    const c = text[start];
    if (c === '`') {
      let j = start + 1;
      let inner = '';
      while (j < text.length && text[j] !== '`') {
        if (text[j] === '\\' && '$`\\'.includes(text[j + 1] ?? '')) {
          inner += text[j + 1];
          j += 2;
        } else {
          inner += text[j];
          j++;
        }
      }
      if (j >= text.length) this.problem('an unbalanced backtick');
      this.nested(inner, depth, state, word);
      return j + 1;
    }
    const next = text[start + 1];
    if (next === '(' && text[start + 2] === '(') {
      const end = matchingParen(text, start + 2);
      const inner = text.slice(start + 3, end === -1 ? text.length : end - 1);
      if (end === -1) this.problem('an unbalanced `$((`');
      if (/[$`]/.test(inner)) this.problem('arithmetic that expands something');
      word.addUnknown();
      return end === -1 ? text.length : end + 1;
    }
    if (next === '(') {
      const subState = cloneState(state);
      const before = this.#out.length;
      const end = this.readList(text, start + 2, depth + 1, subState, true);
      const inner = this.#out.slice(before);
      const known = staticOutput(inner, this.#context);
      if (known !== undefined) word.addValue(known, quoted);
      else word.addUnknown();
      return end;
    }
    if (next === '{') {
      const close = text.indexOf('}', start + 2);
      if (close === -1) {
        this.problem('an unbalanced `${`');
        word.addUnknown();
        return text.length;
      }
      const inner = text.slice(start + 2, close);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) {
        word.addValue(this.lookup(inner, state), quoted);
      } else {
        // `${x:-…}`, `${x/…}`, `${!x}`, `${#x}`: a value the reader does not compute.
        if (/[$`]/.test(inner)) this.problem('a parameter expansion that expands something');
        word.addUnknown();
      }
      return close + 1;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start + 1));
    if (name !== null) {
      word.addValue(this.lookup(name[0], state), quoted);
      return start + 1 + name[0].length;
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      word.addUnknown();
      return start + 2;
    }
    word.addLiteral('$');
    return start + 1;
  }

  /** Reads `inner` (a substitution's text) as commands and adds its value to `word`. */
  nested(inner: string, depth: number, state: ShellState, word: WordBuilder): void {
    const before = this.#out.length;
    if (depth < maxDepth) this.readList(inner, 0, depth + 1, cloneState(state), false);
    else this.problem('nesting deeper than the guard reads');
    const known = staticOutput(this.#out.slice(before), this.#context);
    if (known !== undefined) word.addLiteral(known);
    else word.addUnknown();
  }

  /** Expands an unquoted here-document body: substitutions run; returns the text and whether it is known. */
  expandText(body: string, depth: number, state: ShellState): { text: string; opaque: boolean } {
    const word = new WordBuilder();
    let j = 0;
    while (j < body.length) {
      const d = body[j] as string;
      if (d === '\\' && '$`\\\n'.includes(body[j + 1] ?? '')) {
        if (body[j + 1] !== '\n') word.addLiteral(body[j + 1] as string);
        j += 2;
      } else if (d === '$' || d === '`') {
        j = this.readExpansion(body, j, word, true, depth, state);
      } else {
        word.addLiteral(d);
        j++;
      }
    }
    return { text: word.text, opaque: word.opaque };
  }

  /** Turns one raw command into invocations (unwrapping, nested scripts) and updates the state. */
  finish(command: RawCommand, depth: number, state: ShellState): void {
    let words = command.words;
    // Compound-command keywords in program position: the program is the next word.
    while (words.length > 0 && words[0]?.literal && keywords.has(words[0].text)) {
      words = words.slice(1);
    }
    const first = words[0];
    if (first?.literal && (first.text === 'for' || first.text === 'select')) {
      const name = words[1]?.text;
      if (name !== undefined) state.vars.set(name, undefined);
      return;
    }
    if (first?.literal && first.text === 'case') {
      this.problem('a `case` statement');
    }
    if (first?.literal && (first.text === 'in' || first.text === 'esac')) return;

    const assignments: string[] = [];
    const assignmentWords: ShellWord[] = [];
    let index = 0;
    while (index < words.length && assignmentPattern.test((words[index] as ShellWord).text)) {
      const assignmentWord = words[index] as ShellWord;
      assignments.push(assignmentWord.text);
      assignmentWords.push(assignedValue(assignmentWord));
      index++;
    }
    const rest = words.slice(index);
    if (rest.length === 0) {
      // Only assignments: they set shell variables for the rest of the line.
      for (const assignmentWord of words) setVariable(assignmentWord, state);
    }
    const { program, wrapped } = unwrap(rest, assignments, assignmentWords);
    const stdinText =
      command.heredocs.length > 0
        ? command.heredocs.map((heredoc) => heredoc.target.text ?? '').join('')
        : command.hereString?.text;
    const stdinOpaque =
      command.heredocs.some((heredoc) => heredoc.target.opaque) ||
      command.hereString?.opaque === true;
    const invocation: ShellInvocation = {
      words: program.map((shellWord) => shellWord.text),
      assignments,
      shellWords: program,
      assignmentWords,
      redirects: [
        ...command.redirects,
        ...(command.hereString === undefined
          ? []
          : [{ operator: '<<<', target: command.hereString }]),
      ],
      wrappers: wrapped.map((shellWord) => shellWord.text),
      cwd: state.cwd,
      afterCd: state.afterCd,
      pipedInput: command.pipedInput,
      stdinText,
      stdinOpaque,
      depth,
    };
    this.#out.push(invocation);
    this.followState(invocation, state);
    this.readNested(invocation, depth, state);
  }

  followState(invocation: ShellInvocation, state: ShellState): void {
    const [programWord, ...args] = invocation.shellWords;
    if (programWord === undefined) return;
    const program = programWord.text;
    if (program === 'cd' || program === 'pushd' || program === 'popd') {
      state.afterCd = true;
      const target = args.find((arg) => !arg.text.startsWith('-'));
      if (program === 'popd' || target === undefined) {
        state.cwd = program === 'cd' && target === undefined ? this.#context.home : undefined;
        return;
      }
      if (!target.literal || state.cwd === undefined) {
        state.cwd = undefined;
        return;
      }
      state.cwd = target.text.startsWith('/')
        ? normalizePath(target.text)
        : normalizePath(`${state.cwd}/${target.text}`);
      return;
    }
    if (declarers.has(program)) {
      for (const arg of args) if (assignmentPattern.test(arg.text)) setVariable(arg, state);
      return;
    }
    if (program === 'read' || program === 'mapfile' || program === 'readarray') {
      for (const arg of args) if (!arg.text.startsWith('-')) state.vars.set(arg.text, undefined);
      return;
    }
    if (program === 'unset') {
      for (const arg of args) state.vars.set(arg.text, undefined);
    }
  }

  /** Reads the scripts a command runs from its own words: `sh -c '…'`, `eval …`, `watch '…'`, `su -c '…'`. */
  readNested(invocation: ShellInvocation, depth: number, state: ShellState): void {
    const words = invocation.shellWords;
    const program = baseName(words[0]?.text ?? '');
    const scripts: ShellWord[] = [];
    if (shells.has(program)) {
      const flag = words.findIndex(
        (word, index) => index > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(word.text),
      );
      const script = flag === -1 ? undefined : words[flag + 1];
      if (script !== undefined) scripts.push(script);
      else if (flag !== -1) this.problem('`sh -c` without its script');
      if (invocation.stdinText !== undefined && flag === -1) {
        if (invocation.stdinOpaque) this.problem('a shell reading a script it expands');
        this.script(invocation.stdinText, depth, state);
      }
    } else if (program === 'eval' || program === 'source' || program === '.') {
      if (program === 'eval') {
        const args = words.slice(1);
        if (args.some((word) => !word.literal)) this.problem('`eval` of a value it cannot know');
        this.script(args.map((word) => word.text).join(' '), depth, state);
      }
    } else if (
      program === 'su' ||
      program === 'runuser' ||
      program === 'script' ||
      program === 'flock'
    ) {
      const flag = words.findIndex(
        (word, index) =>
          index > 0 &&
          (word.text === '-c' || word.text === '--command' || /^-[a-zA-Z]*c$/.test(word.text)),
      );
      const script = flag === -1 ? undefined : words[flag + 1];
      if (script !== undefined) scripts.push(script);
    } else if (program === 'watch' || program === 'alias') {
      const args: ShellWord[] = [];
      for (let index = 1; index < words.length; index++) {
        const text = (words[index] as ShellWord).text;
        if (args.length === 0 && text.startsWith('-')) {
          if (/^(-n|--interval|-q|--equexit)$/.test(text)) index++;
          continue;
        }
        args.push(words[index] as ShellWord);
      }
      if (program === 'alias') {
        for (const arg of args) {
          const eq = arg.text.indexOf('=');
          if (eq > 0) this.script(arg.text.slice(eq + 1), depth, state);
        }
      } else if (args.length > 0) {
        if (args.some((word) => !word.literal)) this.problem('`watch` of a value it cannot know');
        this.script(args.map((word) => word.text).join(' '), depth, state);
      }
    }
    for (const script of scripts) {
      if (!script.literal) this.problem('a shell script string it cannot know');
      this.script(script.text, depth, state);
    }
  }

  script(text: string, depth: number, state: ShellState): void {
    if (depth >= maxDepth) {
      this.problem('nesting deeper than the guard reads');
      return;
    }
    this.readList(text, 0, depth + 1, cloneState(state), false);
  }
}

function newCommand(pipedInput: boolean): RawCommand {
  return { words: [], redirects: [], pipedInput, heredocs: [], hereString: undefined };
}

function cloneState(state: ShellState): ShellState {
  return { cwd: state.cwd, afterCd: state.afterCd, vars: new Map(state.vars) };
}

function isWordEnd(char: string | undefined): boolean {
  return char === undefined || /[\s;&|]/.test(char);
}

/** `NAME=value` as the word of its value (tokens after the `=`). */
function assignedValue(word: ShellWord): ShellWord {
  const match = assignmentPattern.exec(word.text);
  if (match === null) return word;
  // The name and `=` are literal characters at the start of the tokens.
  const skip = match[0].length;
  const tokens = word.tokens.slice(skip);
  return {
    text: word.text.slice(skip),
    tokens,
    literal: word.literal,
    opaque: word.opaque,
  };
}

function setVariable(word: ShellWord, state: ShellState): void {
  const match = assignmentPattern.exec(word.text);
  if (match === null) return;
  const name = match[1] as string;
  const value = assignedValue(word);
  const append = match[0].endsWith('+=');
  if (!value.literal || match[2] !== undefined) state.vars.set(name, undefined);
  else if (append) {
    const before = state.vars.get(name);
    state.vars.set(name, before === undefined ? undefined : before + value.text);
  } else state.vars.set(name, value.text);
}

/**
 * The output of a substitution when it is known: `$(cat <<'EOF' … EOF)`,
 * `$(pwd)` and `$(git rev-parse --show-toplevel)`.
 */
function staticOutput(
  inner: readonly ShellInvocation[],
  context: ShellContext,
): string | undefined {
  if (inner.length !== 1) return undefined;
  const only = inner[0] as ShellInvocation;
  if (only.redirects.length > 0 || only.assignments.length > 0) return undefined;
  const words = only.words.join(' ');
  if (words === 'pwd' && only.cwd !== undefined) return only.cwd;
  if (words === 'git rev-parse --show-toplevel' && only.cwd !== undefined) {
    return context.gitTopLevel?.(only.cwd);
  }
  if (words !== 'cat') return undefined;
  if (only.stdinText === undefined || only.stdinOpaque) return undefined;
  return only.stdinText.replace(/\n+$/, '');
}

/** Skips wrapper programs (`sudo`, `env`, `timeout 5`, ...) to the program they run. */
function unwrap(
  words: ShellWord[],
  assignments: string[],
  assignmentWords: ShellWord[],
): { program: ShellWord[]; wrapped: ShellWord[] } {
  let rest = words;
  const wrapped: ShellWord[] = [];
  for (let round = 0; round < 16 && rest.length > 0; round++) {
    while (rest.length > 0 && assignmentPattern.test((rest[0] as ShellWord).text)) {
      assignments.push((rest[0] as ShellWord).text);
      assignmentWords.push(assignedValue(rest[0] as ShellWord));
      rest = rest.slice(1);
    }
    const head = rest[0] as ShellWord | undefined;
    if (head === undefined || !head.literal) break;
    const program = baseName(head.text);
    if (!wrappers.has(program)) break;
    const wrapper = rest;
    const valued = optionsWithValue[program] ?? [];
    rest = rest.slice(1);
    while (rest.length > 0) {
      const option = (rest[0] as ShellWord).text;
      if (program === 'env' && assignmentPattern.test(option)) {
        assignments.push(option);
        assignmentWords.push(assignedValue(rest[0] as ShellWord));
        rest = rest.slice(1);
      } else if (option === '--') {
        rest = rest.slice(1);
        break;
      } else if (option.startsWith('-') && option.length > 1) {
        rest = rest.slice(valued.includes(option) ? 2 : 1);
      } else break;
    }
    if (wrapperOperand.has(program)) rest = rest.slice(1);
    // `env` (or `sudo`) alone prints the environment: keep the wrapper as the program.
    if (rest.length === 0) return { program: wrapper, wrapped };
    wrapped.push(head);
  }
  return { program: rest, wrapped };
}

/** Decodes `$'…'` from `start` (after the quote); `end` is the closing quote's index or -1. */
function readAnsiC(text: string, start: number): { value: string; end: number } {
  let value = '';
  let j = start;
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\x07',
    b: '\b',
    e: '\x1b',
    E: '\x1b',
    f: '\f',
    v: '\v',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '?': '?',
  };
  while (j < text.length && text[j] !== "'") {
    if (text[j] !== '\\') {
      value += text[j];
      j++;
      continue;
    }
    const e = text[j + 1] ?? '';
    if (e in simple) {
      value += simple[e];
      j += 2;
      continue;
    }
    const hex = /^x([0-9a-fA-F]{1,2})/.exec(text.slice(j + 1));
    const unicode = /^(?:u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8}))/.exec(text.slice(j + 1));
    const octal = /^([0-7]{1,3})/.exec(text.slice(j + 1));
    const control = /^c(.)/.exec(text.slice(j + 1));
    if (hex !== null) {
      value += String.fromCharCode(Number.parseInt(hex[1] as string, 16));
      j += 1 + hex[0].length;
    } else if (unicode !== null) {
      const code = Number.parseInt((unicode[1] ?? unicode[2]) as string, 16);
      value += code <= 0x10ffff ? String.fromCodePoint(code) : '';
      j += 1 + unicode[0].length;
    } else if (octal !== null) {
      value += String.fromCharCode(Number.parseInt(octal[1] as string, 8) & 0xff);
      j += 1 + octal[0].length;
    } else if (control !== null) {
      value += String.fromCharCode((control[1] as string).charCodeAt(0) & 0x1f);
      j += 3;
    } else {
      value += `\\${e}`;
      j += 2;
    }
  }
  return { value, end: j < text.length ? j : -1 };
}

/** The index of the `)` closing the `(` at `open`, or -1. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
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
  return -1;
}

/** A brace expansion `{a,b}` or `{1..9}` at `start`, as one token. */
function readBrace(text: string, start: number): { token: PatternToken; end: number } | undefined {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (/[\s;&|'"$`\\<>()]/.test(c)) return undefined;
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        const inner = text.slice(start + 1, i);
        if (/^[^,{}]*\.\.[^,{}]*$/.test(inner)) return { token: { kind: 'star' }, end: i };
        const options = splitTopLevel(inner);
        if (options.length < 2 || options.length > maxAlternatives) return undefined;
        return {
          token: { kind: 'alt', options: options.map((option) => patternOf(option)) },
          end: i,
        };
      }
    }
  }
  return undefined;
}

function splitTopLevel(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of inner) {
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** The tokens of unquoted brace-option text (globs and nested braces kept). */
function patternOf(text: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'one' });
    else if (c === '{') {
      const brace = readBrace(text, i);
      if (brace === undefined) tokens.push({ kind: 'char', char: c });
      else {
        tokens.push(brace.token);
        i = brace.end;
      }
    } else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

/** Collapses `.`, `..` and repeated `/` in an absolute path written as text. */
function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * Reads `command` as a shell would, as far as the guard needs: every simple
 * command it runs (nested ones too) and the constructs it did not fully
 * understand.
 *
 * @example
 * readShell('cd scripts && ./deploy.sh', { cwd: '/app', home: '/home/me' }).invocations[1]
 * // { words: ['./deploy.sh'], cwd: '/app/scripts', afterCd: true, ... }
 */
export function readShell(command: string, context: ShellContext): ShellReading {
  const problems: string[] = [];
  const out: ShellInvocation[] = [];
  if (command.length > maxLength) {
    return { invocations: [], problems: ['a command longer than the guard reads'] };
  }
  const reader = new Reader(context, problems, out);
  reader.readList(command, 0, 0, { cwd: context.cwd, afterCd: false, vars: new Map() }, false);
  return { invocations: out, problems };
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
  return [...readShell(command, { cwd: '/', home: '/nonexistent-home' }).invocations];
}

/** The last path component of a program word (`/usr/bin/op` → `op`). */
export function programName(word: string): string {
  return baseName(word);
}

/**
 * Whether `tokens` can spell exactly `text` (`mode: 'exact'`), or some text
 * that starts with `text` (`mode: 'prefix'`).
 */
export function patternCanMatch(
  tokens: readonly PatternToken[],
  text: string,
  mode: 'exact' | 'prefix',
): boolean {
  const memo = new Map<string, boolean>();
  const go = (list: readonly PatternToken[], ti: number, si: number, key: string): boolean => {
    const id = `${key}:${ti}:${si}`;
    const known = memo.get(id);
    if (known !== undefined) return known;
    let result: boolean;
    if (si === text.length) {
      result =
        mode === 'prefix' ||
        list.slice(ti).every((token) => token.kind === 'star' || token.kind === 'unknown');
    } else if (ti === list.length) {
      result = false;
    } else {
      const token = list[ti] as PatternToken;
      const c = text[si] as string;
      switch (token.kind) {
        case 'char':
          result = token.char === c && go(list, ti + 1, si + 1, key);
          break;
        case 'one':
          result = c !== '/' && go(list, ti + 1, si + 1, key);
          break;
        case 'star':
          result = go(list, ti + 1, si, key) || (c !== '/' && go(list, ti, si + 1, key));
          break;
        case 'unknown':
          result = go(list, ti + 1, si, key) || go(list, ti, si + 1, key);
          break;
        case 'alt':
          result = token.options.some((option, index) =>
            go([...option, ...list.slice(ti + 1)], 0, si, `${key}/${ti}.${index}`),
          );
          break;
      }
    }
    memo.set(id, result);
    return result;
  };
  return go(tokens, 0, 0, 'r');
}
