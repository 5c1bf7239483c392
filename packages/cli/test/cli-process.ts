import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built `ironrun` bin the end-to-end tests run, as a user would: the file package.json's
 * `bin` names (dist/cli.cjs), which hands every command but `run` and `agent` to dist/cli.js.
 */
export const cliPath = fileURLToPath(
  new URL(
    `../${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).bin.ironrun}`,
    import.meta.url,
  ),
);

/** What one `ironrun` invocation printed and how it exited. */
export interface CliRun {
  code: number | null;
  /** The signal that ended the program, when one did. */
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.cjs ...args` (the bin) in `cwd` with exactly `env` (plus PATH),
 * feeding `input` on stdin (stdin is a pipe, never a terminal).
 */
export function runIronrun(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string },
): Promise<CliRun> {
  if (!existsSync(cliPath)) {
    throw new Error(
      `${cliPath} is missing: build the CLI first (pnpm --filter @ironrun/cli build)`,
    );
  }
  return runProcess(process.execPath, [cliPath, ...args], options);
}

/**
 * Runs `file args…` (no shell of its own) in `cwd` with exactly `env` plus
 * the test's PATH (unless `env` sets one), feeding `input` on stdin, and
 * collects what it printed. Its stdin is what Node hands a child as a pipe: a
 * UNIX socket, as Claude Code, Cursor and Gemini CLI (all Node) hand their hooks.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    input?: string;
    /** Write `input` this many ms after the start. @default 0 */
    inputDelayMs?: number;
    /** Write `input` but never close stdin (an agent that never ends the hook input). */
    leaveInputOpen?: boolean;
  },
): Promise<CliRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [key, value] of Object.entries(options.env ?? {}))
    if (value !== undefined) env[key] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve(signal === null ? { code, stdout, stderr } : { code, signal, stdout, stderr }),
    );
    // A program may exit without reading its input (a hook whose guard file is missing): the
    // write then fails with EPIPE, which is that program's outcome, not the test's error.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    const send = () => {
      if (options.leaveInputOpen === true) child.stdin.write(options.input ?? '');
      else child.stdin.end(options.input ?? '');
    };
    if ((options.inputDelayMs ?? 0) > 0) setTimeout(send, options.inputDelayMs);
    else send();
  });
}
