import { randomBytes } from 'node:crypto';

/** Where the fence writes: the action's own stdout and stderr. */
export interface FenceStreams {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
}

/** A fence around the command's output; see {@link openWorkflowCommandFence}. */
export interface WorkflowCommandFence {
  /** Writes a chunk of the command's stdout into the log. */
  stdout(chunk: Uint8Array): void;
  /** Writes a chunk of the command's stderr into the log. */
  stderr(chunk: Uint8Array): void;
  /** Ends any unfinished line and turns workflow commands back on. Idempotent. */
  close(): void;
}

const newline = 0x0a;

/**
 * Streams the command's output into the job log with workflow commands
 * turned off (`::stop-commands::<token>` … `::<token>::`), so that nothing
 * the command prints (`::add-mask::`, `::set-output`, `::error` or a fake
 * `::stop-commands::`) is obeyed by the runner. The token is 128 random bits
 * the command never sees. The fence opens at the first chunk, so masks
 * registered before the command starts are obeyed.
 *
 * @example
 * const fence = openWorkflowCommandFence(process);
 * await runSealed({ ..., onStdout: fence.stdout, onStderr: fence.stderr });
 * fence.close();
 */
export function openWorkflowCommandFence(streams: FenceStreams): WorkflowCommandFence {
  const token = randomBytes(16).toString('hex');
  let open = false;
  let closed = false;
  const lineOpen = { stdout: false, stderr: false };

  const write = (stream: 'stdout' | 'stderr', chunk: Uint8Array) => {
    if (chunk.length === 0 || closed) return;
    if (!open) {
      streams.stdout.write(`::stop-commands::${token}\n`);
      open = true;
    }
    streams[stream].write(chunk);
    lineOpen[stream] = chunk[chunk.length - 1] !== newline;
  };

  return {
    stdout: (chunk) => write('stdout', chunk),
    stderr: (chunk) => write('stderr', chunk),
    close() {
      if (closed) return;
      closed = true;
      if (!open) return;
      if (lineOpen.stderr) streams.stderr.write('\n');
      if (lineOpen.stdout) streams.stdout.write('\n');
      streams.stdout.write(`::${token}::\n`);
    },
  };
}
