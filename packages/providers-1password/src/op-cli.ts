import { spawn } from 'node:child_process';
import { ProviderError } from '@ironrun/provider';

/** The largest value `op read` may print; a bigger answer is refused rather than buffered. */
const maxValueBytes = 1024 * 1024;
const maxStderrBytes = 16 * 1024;

/** What one `op` run produced. */
export interface OpRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  overflow: boolean;
}

/** Everything `runOp` needs. */
export interface RunOpOptions {
  /** Absolute path of `op`. */
  opPath: string;
  /** Arguments, passed as an argv array (no shell ever). */
  args: readonly string[];
  /** The environment for `op` (the ironrun process's; `op` needs HOME and its session). */
  env: Readonly<Record<string, string | undefined>>;
  /** Kills `op` when aborted (timeout or cancel). */
  signal: AbortSignal;
}

/**
 * Runs `op` once, without a shell, stdin closed (so it can never sit waiting for a typed
 * password), output capped. It is killed with SIGKILL as soon as `signal` aborts; the promise
 * then rejects with the signal's reason.
 */
export function runOp({ opPath, args, env, signal }: RunOpOptions): Promise<OpRun> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const childEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
    const child = spawn(opPath, [...args], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let overflow = false;
    const onAbort = () => {
      child.kill('SIGKILL');
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxValueBytes) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < maxStderrBytes) stderr += chunk.slice(0, maxStderrBytes - stderr.length);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(
        new ProviderError(
          'CONFIG',
          `1password: cannot run ${opPath} (${error.code ?? error.name}); check the 1Password CLI install or the 'op_path' option`,
          {
            provider: '1password',
            cause: error,
          },
        ),
      );
    });
    child.on('close', (exitCode, exitSignal) => {
      signal.removeEventListener('abort', onAbort);
      // Wipe what was collected if the run failed, so no partial output outlives it.
      const out = exitCode === 0 && !overflow ? Buffer.concat(stdout) : Buffer.alloc(0);
      for (const chunk of stdout) chunk.fill(0);
      resolve({ exitCode, signal: exitSignal, stdout: out, stderr, overflow });
    });
  });
}

/** How a failed `op read` is understood. */
export type OpFailure =
  | { kind: 'not-found'; detail: string }
  | {
      kind: 'error';
      code: 'AUTH' | 'RATE_LIMIT' | 'NETWORK' | 'CONFIG' | 'UNKNOWN';
      detail: string;
    };

/**
 * The first line of what `op` printed on stderr, without its `[ERROR] date time` prefix,
 * shortened. `op` reports references and account names there, never the value it failed to read.
 */
export function opMessage(stderr: string): string {
  const line =
    stderr
      .split(/\r?\n/)
      .map((text) => text.trim())
      .find((text) => text !== '') ?? '';
  const text = line.replace(/^\[ERROR\]\s+\d{4}\/\d{2}\/\d{2}\s+\d{2}:\d{2}:\d{2}\s+/, '');
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/** Classifies a failed `op read` from its stderr. */
export function classifyOpFailure(stderr: string): OpFailure {
  const detail = opMessage(stderr);
  if (/unknown (flag|shorthand flag)|unknown command/i.test(stderr)) {
    return { kind: 'error', code: 'CONFIG', detail };
  }
  if (
    /not currently signed in|not signed in|sign ?in|no accounts? (configured|found)|session (has )?expired|authori[sz]ation (prompt )?(was )?(dismissed|denied|timed out|declined)|unauthori[sz]ed|invalid (service account )?token|authenticat|desktop app|is locked|account .* not found/i.test(
      stderr,
    )
  ) {
    return { kind: 'error', code: 'AUTH', detail };
  }
  if (/rate.?limit|too many requests/i.test(stderr))
    return { kind: 'error', code: 'RATE_LIMIT', detail };
  if (
    /isn't (a|an) (vault|item|field|section)|could not find|not found|does ?n[o']t (have|exist|contain)|no (vault|item|field|section)s? (with|named|found|matched)/i.test(
      stderr,
    )
  ) {
    return { kind: 'not-found', detail };
  }
  if (
    /network|dial tcp|connection refused|no such host|timed? ?out|i\/o timeout|tls/i.test(stderr)
  ) {
    return { kind: 'error', code: 'NETWORK', detail };
  }
  return { kind: 'error', code: 'UNKNOWN', detail };
}
