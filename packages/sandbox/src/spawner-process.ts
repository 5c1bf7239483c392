import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { SandboxError } from './sandbox-error.js';

/** The bytes the spawner writes first on each of a run's connections: the run's token (32 hex digits) and the stream (`o`, `e`, `r`). */
const headerBytes = 33;
/** Connections that have not yet shown a token; beyond this many the oldest is dropped. */
const maxUnauthenticated = 32;

/**
 * The group leader of a run the spawner started, shaped like the part of a
 * `ChildProcess` spawnSealed uses: `spawn` once its three streams are in,
 * `exit` with the status the spawner got from `waitpid`.
 */
export class SpawnerLeader extends EventEmitter {
  pid: number | undefined;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  /** The init's report channel (descriptor 3 of the run). */
  channel: Duplex | null = null;
  /** Set when the spawner ended during the run: its status is unknown, and the run is failed. */
  lost = false;
}

interface PendingRun {
  id: number;
  token: string;
  leader: SpawnerLeader;
  sockets: Partial<Record<'o' | 'e' | 'r', Socket>>;
  started: boolean;
  /** Resolved with the leader (`leader.stdout` set) or rejected. */
  settled: boolean;
  /** The leader's `spawn` was emitted. */
  spawnEmitted: boolean;
  /** How the leader ended, once the spawner said (or once the spawner is gone). */
  exit?: [number | null, NodeJS.Signals | null];
  resolve: (leader: SpawnerLeader) => void;
  reject: (error: SandboxError) => void;
  timer?: NodeJS.Timeout;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/**
 * The native init in `--spawner` mode, started once: it forks each run from
 * itself (a few hundred KB) instead of this process forking itself (tens or
 * hundreds of MB of page tables) for every run. The run's streams reach this
 * process as connections the spawner makes to a listener in a private 0700
 * directory; each starts with the run's random token, which only this
 * process and the spawner know (a connection without a pending token is
 * dropped unread).
 */
export class SpawnerProcess {
  private state: 'starting' | 'ready' | 'dead' | 'closed' = 'starting';
  private readonly ready: Promise<boolean>;
  private readonly dir: string;
  private readonly server: Server;
  private readonly child: ChildProcess;
  private readonly channel: Duplex;
  private readonly byToken = new Map<string, PendingRun>();
  private readonly byId = new Map<number, PendingRun>();
  private readonly unauthenticated = new Set<Socket>();
  private nextId = 1;
  /** Launches waiting for the spawner to say it is ready. */
  private waiting = 0;
  private pending = '';
  private readonly gone: Promise<void>;
  private readonly removeDir = () => rmSync(this.dir, { recursive: true, force: true });

  constructor(initPath: string) {
    this.dir = mkdtempSync(join('/tmp', 'ironrun-spawner-'));
    process.once('exit', this.removeDir);
    const socketPath = join(this.dir, 's');
    this.server = createServer({ allowHalfOpen: false, pauseOnConnect: false }, (socket) =>
      this.accept(socket),
    );
    this.server.on('error', () => this.die());
    const listening = new Promise<boolean>((resolve) => {
      this.server.once('listening', () => resolve(true));
      this.server.once('error', () => resolve(false));
    });
    this.server.listen(socketPath);
    this.server.unref();
    this.child = spawn(initPath, ['--spawner', socketPath], {
      cwd: '/',
      env: {},
      // Descriptor 3 is its channel (a socket pair); it moves it above 9, close-on-exec.
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    this.child.unref();
    this.channel = this.child.stdio[3] as Duplex;
    (this.channel as Socket).unref?.();
    this.gone = new Promise((resolve) => this.child.once('exit', () => resolve()));
    const said = new Promise<boolean>((resolve) => {
      this.onReady = resolve;
      this.child.once('error', () => resolve(false));
      this.child.once('exit', () => resolve(false));
    });
    this.channel.on('data', (chunk: Buffer) => this.read(chunk));
    this.channel.on('error', () => {});
    this.channel.on('close', () => this.die());
    this.child.on('error', () => this.die());
    this.child.on('exit', () => this.die());
    this.ready = Promise.all([listening, said]).then(([a, b]) => {
      if (a && b && this.state === 'starting') this.state = 'ready';
      else this.die();
      return this.state === 'ready';
    });
  }

  private onReady: (ok: boolean) => void = () => {};

  /**
   * Starts one run's leader as `ironrun-init --namespaces [--user] [--net]`
   * would be. Resolves with it once it runs and its three streams are in;
   * resolves `undefined`, having started nothing, when the spawner is not
   * running (never started, crashed, closed): the caller spawns directly then.
   * Rejects with `SPAWN_FAILED` when the spawner could not start it, or when
   * the spawner ended or `ttlMs` passed before it was in.
   */
  async launch(
    flags: { user: boolean; net: boolean },
    ttlMs: number,
    name: string,
  ): Promise<SpawnerLeader | undefined> {
    this.waiting++;
    this.refWhileBusy();
    const ready = await this.ready;
    this.waiting--;
    this.refWhileBusy();
    if (!ready || this.state !== 'ready') return undefined;
    const id = this.nextId++;
    const token = randomBytes(16).toString('hex');
    const leader = new SpawnerLeader();
    const promise = new Promise<SpawnerLeader>((resolve, reject) => {
      const run: PendingRun = {
        id,
        token,
        leader,
        sockets: {},
        started: false,
        settled: false,
        spawnEmitted: false,
        resolve,
        reject,
      };
      this.byToken.set(token, run);
      this.byId.set(id, run);
      run.timer = setTimeout(
        () =>
          this.fail(
            run,
            new SandboxError(
              'SPAWN_FAILED',
              `program "${name}" was still not started when its TTL ended (the sealed spawner did not hand over its streams)`,
            ),
          ),
        ttlMs,
      );
    });
    this.refWhileBusy();
    this.channel.write(`R ${id} ${token} ${flags.user ? 'u' : '-'}${flags.net ? 'n' : '-'}\n`);
    return promise;
  }

  /** Stops the spawner: runs still going are killed with it. Resolves once it is gone. */
  async close(): Promise<void> {
    if (this.state !== 'dead') this.state = 'closed';
    // Held until it is gone, so the caller's `await` is not the last thing keeping the loop alive.
    this.child.ref();
    this.channel.end();
    this.child.kill('SIGKILL');
    this.server.close();
    await this.gone;
    this.die();
  }

  private refWhileBusy(): void {
    const socket = this.channel as Socket;
    if (this.byId.size + this.waiting > 0) socket.ref?.();
    else socket.unref?.();
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.unauthenticated.size >= maxUnauthenticated) {
      const oldest = this.unauthenticated.values().next().value;
      oldest?.destroy();
      if (oldest !== undefined) this.unauthenticated.delete(oldest);
    }
    this.unauthenticated.add(socket);
    const onReadable = () => {
      const header = socket.read(headerBytes) as Buffer | null;
      if (header === null) return;
      socket.off('readable', onReadable);
      this.unauthenticated.delete(socket);
      const token = header.toString('latin1', 0, 32);
      const kind = header.toString('latin1', 32, 33);
      const run = header.length === headerBytes ? this.byToken.get(token) : undefined;
      if (
        run === undefined ||
        (kind !== 'o' && kind !== 'e' && kind !== 'r') ||
        run.sockets[kind]
      ) {
        socket.destroy();
        return;
      }
      run.sockets[kind] = socket;
      if (run.sockets.o && run.sockets.e && run.sockets.r) this.byToken.delete(token);
      this.complete(run);
    };
    socket.on('readable', onReadable);
    socket.once('close', () => this.unauthenticated.delete(socket));
  }

  private read(chunk: Buffer): void {
    this.pending += chunk.toString('latin1');
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (!this.answer(line)) {
        this.die();
        return;
      }
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > 256) this.die();
  }

  /** Handles one line of the spawner; `false` when it is not one it writes. */
  private answer(line: string): boolean {
    if (line === 'READY') {
      this.onReady(true);
      return true;
    }
    const match =
      /^(?:S (\d{1,10}) (\d{1,10})|F (\d{1,10}) ([A-Z0-9]{1,16})|X (\d{1,10}) ([ES]) (\d{1,3}))$/.exec(
        line,
      );
    if (match === null) return false;
    const run = this.byId.get(Number(match[1] ?? match[3] ?? match[5]));
    if (run === undefined) return false;
    if (match[2] !== undefined) {
      if (run.started) return false;
      run.started = true;
      run.leader.pid = Number(match[2]);
      if (run.settled) {
        // Given up on (its TTL ended first): nothing may run for it.
        this.kill(run);
        return true;
      }
      this.complete(run);
      return true;
    }
    if (match[4] !== undefined) {
      if (run.started) return false;
      this.byId.delete(run.id);
      this.fail(run, spawnerRefusal(match[4]));
      this.refWhileBusy();
      return true;
    }
    if (!run.started) return false;
    this.byId.delete(run.id);
    this.refWhileBusy();
    const number = Number(match[7]);
    this.ended(run, match[6] === 'E' ? [number, null] : [null, signalNames.get(number) ?? null]);
    return true;
  }

  /** Records how the leader ended and emits `exit` once `spawn` was emitted. */
  private ended(run: PendingRun, status: [number | null, NodeJS.Signals | null]): void {
    if (run.exit !== undefined) return;
    run.exit = status;
    if (run.spawnEmitted) run.leader.emit('exit', ...status);
  }

  /** Resolves the run once the spawner said it started and its three streams are in. */
  private complete(run: PendingRun): void {
    const { o, e, r } = run.sockets;
    if (!run.started || run.settled || !o || !e || !r) return;
    run.settled = true;
    clearTimeout(run.timer);
    run.leader.stdout = o;
    run.leader.stderr = e;
    run.leader.channel = r;
    run.resolve(run.leader);
    // After the caller's continuation has attached its listeners.
    setImmediate(() => {
      run.spawnEmitted = true;
      run.leader.emit('spawn');
      if (run.exit !== undefined) run.leader.emit('exit', ...run.exit);
    });
  }

  private fail(run: PendingRun, error: SandboxError): void {
    if (run.settled) return;
    run.settled = true;
    clearTimeout(run.timer);
    this.byToken.delete(run.token);
    for (const socket of Object.values(run.sockets)) socket?.destroy();
    if (run.started) this.kill(run);
    run.reject(error);
  }

  private kill(run: PendingRun): void {
    if (run.leader.pid === undefined) return;
    try {
      process.kill(-run.leader.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** The spawner is gone or not to be trusted: every run it holds is killed and failed. */
  private die(): void {
    if (this.state === 'starting' || this.state === 'ready') this.state = 'dead';
    this.onReady(false);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.server.close();
    for (const socket of this.unauthenticated) socket.destroy();
    this.unauthenticated.clear();
    for (const run of this.byId.values()) {
      if (!run.settled) {
        this.fail(
          run,
          new SandboxError(
            'SPAWN_FAILED',
            'the sealed spawner ended before the run started; nothing is known to have run',
          ),
        );
        continue;
      }
      if (run.exit !== undefined) continue;
      this.kill(run);
      run.leader.lost = true;
      this.ended(run, [null, 'SIGKILL']);
    }
    this.byId.clear();
    this.byToken.clear();
    (this.channel as Socket).unref?.();
    process.off('exit', this.removeDir);
    this.removeDir();
  }
}

function spawnerRefusal(code: string): SandboxError {
  return new SandboxError(
    'SPAWN_FAILED',
    `the sealed spawner could not start the run (${code}); nothing ran`,
  );
}
