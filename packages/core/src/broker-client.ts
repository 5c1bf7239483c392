import { connect, type Socket } from 'node:net';
import {
  type BrokerMessage,
  brokerProtocolVersion,
  type ClientMessage,
  encodeFrame,
  FrameDecoder,
  isProtocolProblem,
  maxBrokerFrameBytes,
  parseBrokerMessage,
} from './broker-protocol.js';
import { IronrunError, type IronrunErrorCode } from './ironrun-error.js';
import type { CommandSummary } from './list-commands.js';
import type { RunResult } from './run-sealed.js';

/** What a forwarded run takes: the part of `runSealed`'s options a client inside may choose. */
export interface BrokerRunOptions {
  /** Absolute path of the policy file (the broker checks its trust with its own store). */
  policy: string;
  commandId: string;
  /** @default [] */
  args?: readonly string[] | undefined;
  /** Cancels the run on the broker. */
  signal?: AbortSignal | undefined;
  /** Receives each redacted chunk of stdout as the broker forwards it. */
  onStdout?: ((chunk: Uint8Array) => void) | undefined;
  /** Receives each redacted chunk of stderr as the broker forwards it. */
  onStderr?: ((chunk: Uint8Array) => void) | undefined;
}

/**
 * A connection to the broker, from {@link connectBroker}. It holds no secret:
 * it sends requests and gets back what the agent may see.
 */
export interface BrokerClient {
  /** The commands of a trusted policy, as `listCommands` gives them. */
  listCommands(policyPath: string): Promise<CommandSummary[]>;
  /** Runs a command through the broker's `runSealed`; the result is redacted. */
  runSealed(options: BrokerRunOptions): Promise<RunResult>;
  /** Closes the connection; the broker cancels its runs. */
  close(): void;
}

const ironrunCodes: ReadonlySet<string> = new Set<IronrunErrorCode>([
  'POLICY',
  'TRUST_UNTRUSTED',
  'TRUST_CHANGED',
  'UNKNOWN_COMMAND',
  'ARGS_REJECTED',
  'CONFIRM_DECLINED',
  'PROVIDER',
  'SECRET_MISSING',
  'SECRET_TOO_SHORT',
  'REDACTOR',
  'SANDBOX',
  'SECRETS_HOOK',
  'CANCELED',
]);

interface Pending {
  resolve(message: BrokerMessage): void;
  reject(error: Error): void;
  onOutput?: ((stream: 'stdout' | 'stderr', chunk: Uint8Array) => void) | undefined;
  kind: 'list' | 'run';
}

function brokerError(message: string, cause?: unknown): IronrunError {
  return new IronrunError('BROKER', `ironrun: ${message}`, { cause });
}

/** How long a client waits for a broker that is not listening yet (see {@link connectedSocket}). */
const listenWaitMs = 1000;

/**
 * A socket connected to `socketPath`. `ironrun agent` starts its broker listening right after
 * the agent's launch (off the start's path), so a client the agent starts at once may find no
 * socket yet (`ENOENT`) or one not listening yet (`ECONNREFUSED`): it tries again every few
 * milliseconds, for up to `waitMs`. Any other error, or the same after that, is thrown.
 */
async function connectedSocket(socketPath: string, waitMs: number): Promise<Socket> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const socket = connect(socketPath);
    const failed = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('error', resolve);
    });
    if (failed === undefined) return socket;
    socket.destroy();
    const notYet = failed.code === 'ENOENT' || failed.code === 'ECONNREFUSED';
    if (!notYet || Date.now() >= deadline) throw failed;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Connects to the broker of `ironrun agent` at `socketPath` and does the
 * protocol's hello. Every message from the broker is validated; anything
 * malformed ends the connection with an `IronrunError` (`BROKER`).
 *
 * @example
 * const broker = await connectBroker(process.env.IRONRUN_BROKER);
 * const result = await broker.runSealed({ policy: '/repo/ironrun.yml', commandId: 'test' });
 * broker.close();
 */
export async function connectBroker(
  socketPath: string,
  options: { timeoutMs?: number | undefined } = {},
): Promise<BrokerClient> {
  let socket: Socket;
  try {
    socket = await connectedSocket(socketPath, Math.min(listenWaitMs, options.timeoutMs ?? 10_000));
  } catch (error) {
    throw brokerError(
      `cannot reach the broker at ${socketPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).name}). Is \`ironrun agent\` still running?`,
      error,
    );
  }
  const decoder = new FrameDecoder(maxBrokerFrameBytes);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let broken: IronrunError | undefined;
  let welcomed: ((error?: Error) => void) | undefined;

  const breakAll = (error: IronrunError) => {
    if (broken !== undefined) return;
    broken = error;
    welcomed?.(error);
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
    socket.destroy();
  };
  const send = (message: ClientMessage) => {
    if (broken !== undefined) throw broken;
    socket.write(encodeFrame(message));
  };

  socket.on('data', (chunk: Buffer) => {
    const decoded = decoder.push(chunk);
    for (const value of decoded.values) {
      const message = parseBrokerMessage(value);
      if (isProtocolProblem(message)) {
        return breakAll(brokerError(`the broker sent a bad message (${message.problem})`));
      }
      if (message.type === 'welcome') {
        if (welcomed === undefined || message.version !== brokerProtocolVersion) {
          return breakAll(brokerError('the broker sent an unexpected welcome'));
        }
        welcomed();
        welcomed = undefined;
        continue;
      }
      if (message.type === 'error' && message.id === null) {
        return breakAll(brokerError(message.message.replace(/^ironrun(?: broker)?: /, 'broker: ')));
      }
      const entry = pending.get(message.id as number);
      if (entry === undefined) {
        return breakAll(
          brokerError(`the broker answered request ${message.id}, which is not open`),
        );
      }
      if (message.type === 'output') {
        if (entry.kind !== 'run') return breakAll(brokerError('the broker sent output for a list'));
        entry.onOutput?.(message.stream, Buffer.from(message.data, 'base64'));
        continue;
      }
      pending.delete(message.id as number);
      if (message.type === 'error') {
        const code = ironrunCodes.has(message.code) ? (message.code as IronrunErrorCode) : 'BROKER';
        entry.reject(new IronrunError(code, message.message));
        continue;
      }
      if ((message.type === 'commands') !== (entry.kind === 'list')) {
        entry.reject(brokerError(`the broker sent ${message.type} for a ${entry.kind}`));
        continue;
      }
      entry.resolve(message);
    }
    if (decoded.problem !== undefined) {
      breakAll(brokerError(`the broker sent a bad frame (${decoded.problem})`));
    }
  });
  socket.on('error', (error) =>
    breakAll(
      brokerError(
        `cannot reach the broker at ${socketPath} (${(error as NodeJS.ErrnoException).code ?? error.name}). Is \`ironrun agent\` still running?`,
        error,
      ),
    ),
  );
  socket.on('close', () => breakAll(brokerError('the broker closed the connection')));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => breakAll(brokerError(`the broker at ${socketPath} did not answer`)),
      options.timeoutMs ?? 10_000,
    );
    welcomed = (error) => {
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    try {
      send({ type: 'hello', version: brokerProtocolVersion });
    } catch (error) {
      reject(error);
    }
  });

  const request = (
    message: ClientMessage & { id: number },
    entry: Omit<Pending, 'resolve' | 'reject'>,
  ) =>
    new Promise<BrokerMessage>((resolve, reject) => {
      if (broken !== undefined) {
        reject(broken);
        return;
      }
      pending.set(message.id, { ...entry, resolve, reject });
      send(message);
    });

  return {
    listCommands: async (policyPath) => {
      const answer = await request(
        { type: 'list', id: nextId++, policy: policyPath },
        { kind: 'list' },
      );
      return answer.type === 'commands' ? answer.commands : [];
    },
    runSealed: async (run) => {
      const id = nextId++;
      const { signal } = run;
      if (signal?.aborted) {
        throw new IronrunError(
          'CANCELED',
          `ironrun: the run of ${run.commandId} was canceled before it started`,
          {
            commandId: run.commandId,
          },
        );
      }
      const onAbort = () => {
        if (broken === undefined) send({ type: 'cancel', id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const answer = await request(
          {
            type: 'run',
            id,
            policy: run.policy,
            command: run.commandId,
            args: [...(run.args ?? [])],
            stream: run.onStdout !== undefined || run.onStderr !== undefined,
          },
          {
            kind: 'run',
            onOutput: (stream, chunk) =>
              (stream === 'stdout' ? run.onStdout : run.onStderr)?.(chunk),
          },
        );
        if (answer.type !== 'result') throw brokerError('the broker sent no result');
        return answer.result;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => {
      socket.end();
    },
  };
}
