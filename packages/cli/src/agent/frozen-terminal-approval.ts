import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import type { ConfirmRequest } from '@ironrun/core';

const codeLetters = 'ACDEFHJKLMNPRTUVWXY';
const maxTries = 3;
const answerTimeoutMs = 5 * 60_000;

/** `pid`'s parent and state from /proc, or `undefined` once it is gone. */
function statOf(pid: number): { parent: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [state, parent] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(parent), state: state ?? '' };
  } catch {
    return undefined;
  }
}

/** Every process below `root` (and `root`): the confinement and everything the agent started. */
function processTree(root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat === undefined) continue;
    const list = children.get(stat.parent) ?? [];
    list.push(Number(name));
    children.set(stat.parent, list);
  }
  const tree = new Set<number>([root]);
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (!tree.has(child)) {
        tree.add(child);
        queue.push(child);
      }
    }
  }
  return tree;
}

/**
 * Whether this process is in its terminal's foreground process group (reading the terminal
 * from the background would stop it with SIGTTIN).
 */
function inForeground(): boolean {
  try {
    const text = readFileSync('/proc/self/stat', 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state, ppid, pgrp, session, tty_nr, tpgid.
    return fields[2] !== undefined && fields[2] === fields[5];
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops every process of the confinement with SIGSTOP (which no process can catch or ignore)
 * and waits until each is seen stopped, looking again for processes forked meanwhile until
 * none is new. Returns the stopped ones, or `undefined` if the tree would not hold still
 * (then everything stopped so far is continued again).
 */
async function freeze(root: number): Promise<Set<number> | undefined> {
  const stopped = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const tree = processTree(root);
    const fresh = [...tree].filter((pid) => !stopped.has(pid));
    if (fresh.length === 0 && round > 0) return stopped;
    for (const pid of fresh) {
      try {
        process.kill(pid, 'SIGSTOP');
        stopped.add(pid);
      } catch {
        // gone already
      }
    }
    for (const pid of fresh) {
      for (let i = 0; i < 200; i++) {
        const stat = statOf(pid);
        if (stat === undefined || stat.state === 'T' || stat.state === 't' || stat.state === 'Z')
          break;
        await sleep(1);
      }
    }
  }
  thaw(stopped);
  return undefined;
}

function thaw(stopped: Iterable<number>): void {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
      // A terminal UI redraws what the prompt wrote over.
      process.kill(pid, 'SIGWINCH');
    } catch {
      // gone meanwhile
    }
  }
}

/** Reads and drops what the terminal's input already holds (it arrives at once). */
function discardPending(input: ReadStream): Promise<void> {
  return new Promise((resolve) => {
    const drop = () => {};
    input.on('data', drop);
    input.resume();
    setTimeout(() => {
      input.off('data', drop);
      input.pause();
      resolve();
    }, 100);
  });
}

/**
 * Drops what the terminal's input holds when the agent has ended: keys it pushed with TIOCSTI
 * would otherwise be read by the person's shell once `ironrun agent` exits. Its PID namespace is
 * gone by then, so nothing of it can push more. No terminal: nothing to do.
 */
export async function dropAgentInput(): Promise<void> {
  if (!inForeground()) return;
  let input: ReadStream | undefined;
  try {
    input = new ReadStream(openSync('/dev/tty', 'r'));
    input.setRawMode(true);
    await discardPending(input);
  } catch {
    // no terminal
  } finally {
    input?.setRawMode(false);
    input?.destroy();
  }
}

/** Reads one line in raw mode, echoing it; `undefined` on Ctrl-C, Ctrl-D, Esc or the time limit. */
function readLine(input: ReadStream, output: WriteStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let line = '';
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      input.off('data', onData);
      input.pause();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), answerTimeoutMs);
    const onData = (chunk: Buffer) => {
      for (const byte of chunk) {
        if (byte === 0x03 || byte === 0x04 || byte === 0x1b) return done(undefined);
        if (byte === 0x0d || byte === 0x0a) {
          output.write('\r\n');
          return done(line);
        }
        if (byte === 0x7f || byte === 0x08) {
          if (line.length > 0) {
            line = line.slice(0, -1);
            output.write('\b \b');
          }
        } else if (byte >= 0x20 && byte < 0x7f && line.length < 64) {
          line += String.fromCharCode(byte);
          output.write(String.fromCharCode(byte));
        }
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/**
 * A `confirm` for the broker of `ironrun agent` that only the person at the broker's terminal
 * can answer, or `undefined` when the broker has no terminal (then `confirm: true` commands are
 * refused, as before).
 *
 * The terminal is the agent's too, so while it asks, every process of the confinement is
 * stopped (SIGSTOP): nothing inside can read the answer, draw over the question, or type into
 * the terminal with TIOCSTI. What the agent typed or injected before it was stopped is still in
 * the terminal's input, so the person must type a code drawn after the stop and shown only on
 * the screen (the agent cannot read the screen); anything else is not an approval. Then the
 * terminal's mode is restored and the agent continued.
 *
 * `agentPid` gives the pid of the confinement's outermost process once it runs.
 */
export function frozenTerminalApproval(
  agentPid: () => number | undefined,
): ((request: ConfirmRequest) => Promise<boolean>) | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  closeSync(fd);
  let queue: Promise<unknown> = Promise.resolve();
  const ask = async (request: ConfirmRequest): Promise<boolean> => {
    const root = agentPid();
    // In the background the question could not be read (nor answered): no.
    if (root === undefined || !inForeground()) return false;
    const stopped = await freeze(root);
    if (stopped === undefined) return false;
    let input: ReadStream | undefined;
    let output: WriteStream | undefined;
    try {
      const { escapeForReview } = await import('@ironrun/core');
      // node:crypto loads here, on a question, not before the agent starts (milliseconds). Not
      // an `import()`: dist/agent.cjs is compiled by `vm`, which has none for a built-in.
      const { randomInt } = process.getBuiltinModule('node:crypto');
      const show = (text: string) => escapeForReview(text).text;
      input = new ReadStream(openSync('/dev/tty', 'r'));
      output = new WriteStream(openSync('/dev/tty', 'w'));
      input.setRawMode(true);
      // What was typed or injected before the stop is still queued: read it and throw it away.
      await discardPending(input);
      const code = Array.from(
        { length: 5 },
        () => codeLetters[randomInt(codeLetters.length)] ?? 'A',
      ).join('');
      const lines = [
        '\x1b[0m\x1b[2J\x1b[H',
        'ironrun agent: the agent is paused. It asks to run a command that needs your approval.',
        `  command: ${show(request.commandId)}`,
        ...(request.description === undefined
          ? []
          : [`  description: ${show(request.description)}`]),
        ...request.argv.map((word, index) => `  argv[${index}]: ${show(word)}`),
        request.refs.length === 0
          ? '  secrets: none'
          : `  secrets (references): ${request.refs.map(show).join(', ')}`,
        '',
        `To approve, type ${code} and Enter. Anything else, Enter, Ctrl-C or Esc declines.`,
      ];
      output.write(`${lines.join('\r\n')}\r\n`);
      for (let attempt = 1; attempt <= maxTries; attempt++) {
        output.write('> ');
        const line = await readLine(input, output);
        if (line === undefined) break;
        if (line.trim().toUpperCase() === code) {
          output.write('Approved. The agent continues.\r\n');
          return true;
        }
        if (line.trim() === '') break;
        if (attempt < maxTries) output.write('That is not the code; try again.\r\n');
      }
      output.write('Declined. The agent continues.\r\n');
      return false;
    } finally {
      input?.setRawMode(false);
      input?.destroy();
      output?.destroy();
      thaw(stopped);
    }
  };
  // One question at a time: two runs asking at once are asked in turn.
  return (request) => {
    const answer = queue.then(() => ask(request));
    queue = answer.catch(() => {});
    return answer;
  };
}
