import { createRequire } from 'node:module';
import { SandboxError } from './sandbox-error.js';

/**
 * The program run as PID 1 of the child's PID namespace (`node -e`, CommonJS,
 * no file to locate, so it survives bundling).
 *
 * Why an init at all: the kernel shields a namespace's PID 1 from every
 * signal it has no handler for, whether sent by itself or by us. A program
 * run as PID 1 would ignore SIGTERM and could not die by `kill(getpid(),
 * SIGSEGV)` or `abort()` as it would elsewhere. So PID 1 is this init, and
 * the program runs as PID 2 with ordinary signal semantics. The init:
 *
 * - receives `{ file, args, argv0, cwd, env }` over the IPC channel (never
 *   through argv, which any local user can read in /proc);
 * - closes every inherited descriptor above 2 that lacks close-on-exec, so
 *   nothing the caller leaked reaches the program;
 * - in a fresh network namespace, brings the loopback interface up with
 *   iproute2's `ip` when it is installed at a fixed path (else it stays down);
 * - spawns the program with stdin on /dev/null and stdout/stderr straight
 *   onto the sandbox's pipes (no copy), in a session of its own;
 * - forwards SIGTERM/SIGINT/SIGHUP to every process of the namespace
 *   (`kill(-1)`), so the graceful stop reaches descendants that left the
 *   program's process group;
 * - reports `started`, a spawn `error`, or the program's `exit` (code or
 *   signal, faithfully) over IPC, then exits, which makes the kernel kill
 *   every process left in the namespace;
 * - kills everything and exits if the IPC channel closes (its parent died).
 */
export const namespaceInitSource = String.raw`'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const O_CLOEXEC = 0o2000000;
let done = false;
function finish(message, code) {
  if (done) return;
  done = true;
  process.send(message, () => process.exit(code));
}
function closeInheritedDescriptors() {
  for (const name of fs.readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    let flags;
    try {
      const match = /^flags:\s*([0-7]+)$/m.exec(fs.readFileSync('/proc/self/fdinfo/' + name, 'utf8'));
      if (match === null) continue;
      flags = parseInt(match[1], 8);
    } catch {
      continue;
    }
    if ((flags & O_CLOEXEC) === 0) {
      try { fs.closeSync(fd); } catch {}
    }
  }
}
function bringLoopbackUp() {
  for (const ip of ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']) {
    if (!fs.existsSync(ip)) continue;
    try {
      spawnSync(ip, ['link', 'set', 'dev', 'lo', 'up'], { stdio: 'ignore', env: {}, timeout: 5000 });
    } catch {}
    return;
  }
}
process.once('message', (config) => {
  closeInheritedDescriptors();
  if (config.loopback) bringLoopbackUp();
  let child;
  try {
    child = spawn(config.file, config.args, {
      argv0: config.argv0, cwd: config.cwd, env: config.env,
      stdio: ['ignore', 'inherit', 'inherit'], detached: true,
    });
  } catch (error) {
    finish({ type: 'error', code: String((error && error.code) || 'UNKNOWN') }, 127);
    return;
  }
  child.once('spawn', () => { if (!done) process.send({ type: 'started' }); });
  child.once('error', (error) => finish({ type: 'error', code: String((error && error.code) || 'UNKNOWN') }, 127));
  child.once('exit', (code, signal) => finish({ type: 'exit', code, signal }, code === null ? 1 : code));
});
process.on('disconnect', () => {
  try { process.kill(-1, 'SIGKILL'); } catch {}
  process.exit(137);
});
for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(name, () => { try { process.kill(-1, name); } catch {} });
}
`;

/**
 * The argument a single executable application (`node:sea`) is started with
 * to act as the namespace init: its `execPath` is the application itself,
 * which cannot take `node -e`. See {@link isNamespaceInitRequest}.
 */
export const namespaceInitArgument = '--ironrun-sandbox-init';

/** The variable (value `1`) set in the init's own environment, alongside {@link namespaceInitArgument}. */
export const namespaceInitEnvName = 'IRONRUN_SANDBOX_INIT';

/**
 * Whether this process was started by `spawnSealed` as the namespace init of
 * a single executable application: `argv` is exactly the application and
 * `--ironrun-sandbox-init` (`process.argv` of a single executable repeats
 * the executable, so both layouts are accepted) and the environment holds
 * `IRONRUN_SANDBOX_INIT=1`. The entry point of a single executable that
 * bundles `@ironrun/sandbox` must check this first, and then call
 * {@link runNamespaceInit} instead of its own code.
 *
 * @example
 * if (isNamespaceInitRequest()) runNamespaceInit();
 * else await main();
 */
export function isNamespaceInitRequest(
  argv: readonly string[] = process.argv,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (env[namespaceInitEnvName] !== '1') return false;
  const rest = argv.length >= 2 && argv[1] === argv[0] ? argv.slice(2) : argv.slice(1);
  return rest.length === 1 && rest[0] === namespaceInitArgument;
}

/**
 * Runs the namespace init (the code `spawnSealed` otherwise starts with
 * `node -e`) in this process. It acts only on what arrives over the IPC
 * channel of the `spawnSealed` that started it, so it refuses to start, with
 * `INVALID_OPTIONS` and nothing done, unless it is PID 1 of its own PID
 * namespace on Linux and has that channel: run by hand, it does nothing a
 * caller could not do without it.
 *
 * @throws {SandboxError} `INVALID_OPTIONS` when not started by `spawnSealed`.
 */
export function runNamespaceInit(): void {
  if (process.platform !== 'linux' || process.pid !== 1 || typeof process.send !== 'function') {
    throw new SandboxError(
      'INVALID_OPTIONS',
      `${namespaceInitArgument} is reserved for ironrun's sandbox: it runs only as PID 1 of a namespace spawnSealed created, over its IPC channel`,
    );
  }
  // The very source `node -e` runs, so both launches share one init.
  const init = new Function('require', namespaceInitSource) as (require: NodeJS.Require) => void;
  init(createRequire(import.meta.url));
}
