// `fs.promises` looked up at the call: `ironrun run`'s bundle holds this file and never starts a
// broker, so it never loads node:fs/promises for it.
import { chmodSync, promises as fs } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import {
  type BrokerMessage,
  type BrokerProblemCode,
  brokerProtocolVersion,
  type ClientMessage,
  encodeFrame,
  FrameDecoder,
  isProtocolProblem,
  maxClientFrameBytes,
  maxRunsPerConnection,
  parseClientMessage,
} from './broker-protocol.js';
import { isIronrunError } from './ironrun-error.js';
import type { RunSealedOptions, runSealed } from './run-sealed.js';

type Pipeline = typeof import('./broker-pipeline.js');
/** The loaded pipeline and the broker's sealed spawner, if it has one. */
interface LoadedPipeline
  extends Pick<Pipeline, 'runSealed' | 'listCommands' | 'loadTrustedPolicy'> {
  spawner: ReturnType<Pipeline['createSealedSpawner']> | undefined;
}

/** Options of {@link startBroker}. */
export interface BrokerOptions {
  /** Path of the unix socket to listen on. Its folder should be private to the user (mode 0700). */
  socketPath: string;
  /**
   * Loaders of built-in providers by name (see `runSealed`).
   * @default {}
   */
  providers?: Record<string, () => Promise<unknown>> | undefined;
  /**
   * Where providers read their credentials. It stays in the broker; nothing
   * of it is sent to a client.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Where trust records live: the broker's, never the client's.
   * @default defaultConfigDir() from `@ironrun/policy`
   */
  configDir?: string | undefined;
  /**
   * How long a provider may take.
   * @default 30_000
   */
  resolveTimeoutMs?: number | undefined;
  /**
   * Most connections served at once; more are closed at once.
   * @default 64
   */
  maxConnections?: number | undefined;
  /**
   * Asks a person to approve a command marked `confirm: true`. It must be a
   * channel the confined agent cannot answer (`ironrun agent` asks on the
   * person's terminal with every process of the confinement stopped); the
   * protocol has no message for it, so nothing a client sends can approve.
   * Without it, such commands are refused.
   * @default undefined
   */
  confirm?: RunSealedOptions['confirm'];
  /**
   * Start each run through one sealed spawner (`createSealedSpawner()` of
   * `@ironrun/sandbox`, started with the pipeline and closed with the
   * broker), so a run does not fork the whole broker; `false` spawns each
   * run directly. Both give the same isolation.
   * @default true
   */
  sealedSpawner?: boolean | undefined;
  /** Runs a command; for tests. @default runSealed */
  runSealed?: ((options: RunSealedOptions) => ReturnType<typeof runSealed>) | undefined;
}

/** A broker from {@link startBroker}. */
export interface BrokerHandle {
  /** The socket path it listens on. */
  socketPath: string;
  /**
   * Loads the pipeline now instead of on the first request (it is loaded
   * once either way), so the first request does not wait for it. Call it
   * after the work that must come first, such as starting the agent.
   */
  warm(): Promise<void>;
  /** Stops listening, cancels every run of every connection and removes the socket. */
  close(): Promise<void>;
}

// Live output is best effort: a client that stops reading loses chunks, not the broker its memory.
const maxQueuedOutputBytes = 8 * 1024 * 1024;

function describeUnknown(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Serves one connection: the hello, then requests, each run scoped to this connection. */
function serveConnection(
  socket: Socket,
  options: BrokerOptions,
  closing: AbortSignal,
  pipeline: () => Promise<LoadedPipeline>,
): void {
  const decoder = new FrameDecoder(maxClientFrameBytes);
  const runs = new Map<number, AbortController>();
  const lists = new Set<number>();
  let greeted = false;
  let ended = false;

  const send = (message: BrokerMessage) => {
    if (ended || socket.destroyed) return;
    socket.write(encodeFrame(message));
  };
  const abortAll = () => {
    for (const controller of runs.values()) controller.abort(new Error('the connection closed'));
    runs.clear();
  };
  const fail = (code: BrokerProblemCode, message: string, id: number | null = null) => {
    send({ type: 'error', id, code, message: `ironrun broker: ${message}` });
    ended = true;
    abortAll();
    socket.end();
    // A peer that never reads must not hold the socket open.
    setTimeout(() => socket.destroy(), 1000).unref();
  };
  const refuse = (id: number, error: unknown) => {
    if (isIronrunError(error)) {
      send({ type: 'error', id, code: error.code, message: error.message });
    } else {
      send({
        type: 'error',
        id,
        code: 'INTERNAL',
        message: `ironrun broker: internal error (${describeUnknown(error)}); nothing was returned from the command`,
      });
    }
  };

  const handle = (message: ClientMessage) => {
    if (message.type === 'hello') {
      if (greeted) return fail('OUT_OF_ORDER', 'a second hello on one connection');
      if (message.version !== brokerProtocolVersion) {
        return fail(
          'VERSION',
          `protocol version ${message.version} is not supported; this broker speaks ${brokerProtocolVersion}. Use the same ironrun version inside and outside.`,
        );
      }
      greeted = true;
      send({ type: 'welcome', version: brokerProtocolVersion });
      return;
    }
    if (!greeted) return fail('OUT_OF_ORDER', `${message.type} before hello`);
    if (message.type === 'cancel') {
      // Only this connection's runs can be named here.
      runs.get(message.id)?.abort(new Error('canceled by the client'));
      return;
    }
    if (runs.has(message.id) || lists.has(message.id)) {
      return fail('OUT_OF_ORDER', `request id ${message.id} is already in use on this connection`);
    }
    if (message.type === 'list') {
      lists.add(message.id);
      pipeline()
        .then(async ({ listCommands, loadTrustedPolicy }) => {
          const policy = await loadTrustedPolicy(message.policy, {
            configDir: options.configDir,
            providers: options.providers,
          });
          send({ type: 'commands', id: message.id, commands: listCommands(policy) });
        })
        .catch((error: unknown) => refuse(message.id, error))
        .finally(() => lists.delete(message.id));
      return;
    }
    if (runs.size >= maxRunsPerConnection) {
      send({
        type: 'error',
        id: message.id,
        code: 'BUSY',
        message: `ironrun broker: ${maxRunsPerConnection} runs are already going on this connection; wait for one to end`,
      });
      return;
    }
    const controller = new AbortController();
    runs.set(message.id, controller);
    const signal = AbortSignal.any([controller.signal, closing]);
    const live = (stream: 'stdout' | 'stderr') => (chunk: Uint8Array) => {
      if (socket.writableLength > maxQueuedOutputBytes) return;
      send({ type: 'output', id: message.id, stream, data: Buffer.from(chunk).toString('base64') });
    };
    pipeline()
      .then(({ runSealed, spawner }) =>
        (options.runSealed ?? runSealed)({
          spawner,
          policy: message.policy,
          commandId: message.command,
          args: message.args,
          providers: options.providers,
          env: options.env ?? process.env,
          configDir: options.configDir,
          resolveTimeoutMs: options.resolveTimeoutMs,
          signal,
          // Only the broker's own approver, never anything from the connection.
          confirm: options.confirm,
          ...(message.stream ? { onStdout: live('stdout'), onStderr: live('stderr') } : {}),
        }),
      )
      .then((result) => send({ type: 'result', id: message.id, result: { ...result } }))
      .catch((error: unknown) => refuse(message.id, error))
      .finally(() => runs.delete(message.id));
  };

  socket.on('data', (chunk: Buffer) => {
    if (ended) return;
    const decoded = decoder.push(chunk);
    for (const value of decoded.values) {
      if (ended) return;
      const message = parseClientMessage(value);
      if (isProtocolProblem(message)) return fail('BAD_MESSAGE', message.problem);
      try {
        handle(message);
      } catch (error) {
        return fail('INTERNAL', `internal error (${describeUnknown(error)})`);
      }
    }
    if (decoded.problem !== undefined && !ended) fail('BAD_FRAME', decoded.problem);
  });
  socket.on('error', () => {
    // A peer that vanishes is not the broker's failure.
  });
  socket.on('close', () => {
    ended = true;
    abortAll();
  });
}

/**
 * Starts the broker: the side of `ironrun agent` that stays outside the
 * confinement. It listens on a unix socket and serves the broker protocol
 * (see `broker-protocol.ts`), running each request through the one pipeline,
 * {@link runSealed} (trust check with the broker's trust store, secret
 * resolution with the broker's credentials, the sealed spawn, redaction),
 * and returns only the redacted result. The pipeline is loaded on the first
 * request, or by {@link BrokerHandle.warm}: listening costs no policy, sandbox
 * or redactor load. Commands marked `confirm: true` are approved only by
 * `options.confirm` (never by a client's message), and refused without it.
 *
 * @example
 * const broker = await startBroker({ socketPath: '/run/user/1000/ironrun/broker.sock', providers });
 * // ... start the confined agent with IRONRUN_BROKER=broker.socketPath
 * await broker.close();
 */
export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  const maxConnections = options.maxConnections ?? 64;
  // Loaded once, on the first request or on warm(); a failed load is tried again by the next.
  let loading: Promise<LoadedPipeline> | undefined;
  let spawner: LoadedPipeline['spawner'];
  const pipeline = () => {
    loading ??= import('./broker-pipeline.js').then(
      (loaded) => {
        if (options.sealedSpawner !== false && !closing.signal.aborted)
          spawner ??= loaded.createSealedSpawner();
        return {
          runSealed: loaded.runSealed,
          listCommands: loaded.listCommands,
          loadTrustedPolicy: loaded.loadTrustedPolicy,
          spawner,
        };
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const server: Server = createServer((socket) => {
    if (sockets.size >= maxConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, options, closing.signal, pipeline);
  });
  server.on('error', () => {
    // Errors after listen (none expected for a unix socket) must not crash the broker.
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Synchronous: a microsecond, where a call through the thread pool would start its threads
  // here, on the path of `ironrun agent` before the agent starts, and wait for one to run.
  chmodSync(options.socketPath, 0o600);
  return {
    socketPath: options.socketPath,
    warm: async () => {
      await pipeline();
    },
    close: async () => {
      closing.abort(new Error('the broker is closing'));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await spawner?.close();
      await fs.rm(options.socketPath, { force: true });
    },
  };
}
