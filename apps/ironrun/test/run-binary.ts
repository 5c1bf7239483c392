import { spawn } from 'node:child_process';
import type { Arm64Runner } from './binary-path.js';

/** What one invocation of the binary printed and how it exited. */
export interface BinaryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How to start a built binary: natively, or under qemu-user. */
export interface BinaryLauncher {
  command: string;
  prefix: string[];
}

/** Starts `binary` directly, or through qemu-aarch64 when `arm64` is given. */
export function launcher(binary: string, arm64?: Arm64Runner): BinaryLauncher {
  return arm64 === undefined
    ? { command: binary, prefix: [] }
    : { command: arm64.qemu, prefix: ['-L', arm64.sysroot, binary] };
}

/**
 * Runs the binary with `args` in `cwd` with exactly `env` (nothing inherited,
 * so no `node` on `PATH` unless `env` puts it there), stdin closed.
 */
export function runBinary(
  launch: BinaryLauncher,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, [...launch.prefix, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
