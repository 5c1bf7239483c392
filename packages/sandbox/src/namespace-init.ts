import { fstatSync } from 'node:fs';
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
 * - receives `{ file, args, argv0, cwd, env }` as one JSON line over its
 *   report channel, descriptor 3, a socket pair it keeps close-on-exec (never
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
 *   signal, faithfully) as JSON lines on the channel, then exits with the
 *   same status (the code, or 128 + the signal number) so the sandbox can
 *   check the report against the kernel's word; exiting makes the kernel kill
 *   every process left in the namespace;
 * - kills everything and exits if the channel closes (its parent died).
 *
 * A program that gets hold of the channel can write anything on it, so the
 * sandbox treats every line as untrusted (`init-report.ts`).
 */
export const namespaceInitSource = String.raw`'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const { constants } = require('node:os');
const O_CLOEXEC = 0o2000000;
const channel = new net.Socket({ fd: 3, readable: true, writable: true });
let done = false;
let child;
function send(message, then) {
  channel.write(JSON.stringify(message) + '\n', then);
}
function finish(message, code) {
  if (done) return;
  done = true;
  send(message, () => process.exit(code));
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
function run(config) {
  closeInheritedDescriptors();
  if (config.loopback) bringLoopbackUp();
  try {
    child = spawn(config.file, config.args, {
      argv0: config.argv0, cwd: config.cwd, env: config.env,
      stdio: ['ignore', 'inherit', 'inherit'], detached: true,
    });
  } catch (error) {
    finish({ type: 'error', code: String((error && error.code) || 'UNKNOWN') }, 127);
    return;
  }
  child.once('spawn', () => { if (!done) send({ type: 'started' }); });
  child.once('error', (error) => finish({ type: 'error', code: String((error && error.code) || 'UNKNOWN') }, 127));
  // The init's own exit status says the same as the report (code, or 128 + signal number),
  // so the sandbox can check the report against what the kernel tells it.
  child.once('exit', (code, signal) =>
    finish({ type: 'exit', code, signal }, code !== null ? code : 128 + (constants.signals[signal] || 0)));
}
let received = '';
channel.on('data', (chunk) => {
  if (child !== undefined || done) return;
  received += chunk.toString('utf8');
  const newline = received.indexOf('\n');
  if (newline === -1) return;
  const config = JSON.parse(received.slice(0, newline));
  received = '';
  run(config);
});
channel.on('error', () => {});
channel.on('close', () => {
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

/** Whether descriptor 3, the report channel `spawnSealed` hands its init, is an open socket. */
function reportChannelOpen(): boolean {
  try {
    return fstatSync(3).isSocket();
  } catch {
    return false;
  }
}

/**
 * Runs the namespace init (the code `spawnSealed` otherwise starts with
 * `node -e`) in this process. It acts only on what arrives over the report
 * channel (descriptor 3) of the `spawnSealed` that started it, so it refuses to start, with
 * `INVALID_OPTIONS` and nothing done, unless it is PID 1 of its own PID
 * namespace on Linux and has that channel: run by hand, it does nothing a
 * caller could not do without it.
 *
 * @throws {SandboxError} `INVALID_OPTIONS` when not started by `spawnSealed`.
 */
export function runNamespaceInit(): void {
  if (process.platform !== 'linux' || process.pid !== 1 || !reportChannelOpen()) {
    throw new SandboxError(
      'INVALID_OPTIONS',
      `${namespaceInitArgument} is reserved for ironrun's sandbox: it runs only as PID 1 of a namespace spawnSealed created, with its report channel on descriptor 3`,
    );
  }
  // The very source `node -e` runs, so both launches share one init.
  const init = new Function('require', namespaceInitSource) as (require: NodeJS.Require) => void;
  init(createRequire(import.meta.url));
}
