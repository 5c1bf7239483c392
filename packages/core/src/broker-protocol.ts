import type { CommandSummary } from './list-commands.js';
import type { RunResult } from './run-sealed.js';

/**
 * The broker wire protocol, version 1.
 *
 * A connection is a stream of frames: a 4-byte big-endian length, then that
 * many bytes of UTF-8 JSON holding one message. The client speaks first
 * (`hello`); the broker answers `welcome` or an `error` and closes. After
 * that the client sends `list`, `run` and `cancel` requests, each with a
 * request id of its own choosing; every answer carries the id it answers.
 * Ids are scoped to the connection: one connection cannot name, cancel or
 * see another's runs.
 *
 * Every message is validated on arrival, on both ends, against a closed
 * shape (unknown keys are errors). A frame over the cap, a frame that is not
 * JSON, a message of the wrong shape or one out of order gets an `error`
 * and the connection is closed; nothing is thrown past the handler.
 */
export const brokerProtocolVersion = 1;

/** Largest frame a client may send: requests are small. */
export const maxClientFrameBytes = 64 * 1024;
/** Largest frame the broker may send (a result holds both streams, each up to its `max_output`). */
export const maxBrokerFrameBytes = 64 * 1024 * 1024;
/** Most runs one connection may have going at once. */
export const maxRunsPerConnection = 16;

const maxIdLength = 256;
const maxArgs = 256;
const maxArgLength = 8 * 1024;
const maxPathLength = 4096;

/** What a client sends. */
export type ClientMessage =
  | { type: 'hello'; version: number }
  | { type: 'list'; id: number; policy: string }
  | { type: 'run'; id: number; policy: string; command: string; args: string[]; stream: boolean }
  | { type: 'cancel'; id: number };

/** Codes of a protocol `error` message. */
export type BrokerProblemCode =
  | 'BAD_FRAME'
  | 'BAD_MESSAGE'
  | 'OUT_OF_ORDER'
  | 'VERSION'
  | 'BUSY'
  | 'INTERNAL';

/** What the broker sends. Every string in it is redacted or is ironrun's own text. */
export type BrokerMessage =
  | { type: 'welcome'; version: number }
  | { type: 'commands'; id: number; commands: CommandSummary[] }
  | { type: 'output'; id: number; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'result'; id: number; result: RunResult }
  | { type: 'error'; id: number | null; code: string; message: string };

/** A message that did not validate: what was wrong, in ironrun's words (never an echo of the input). */
export interface ProtocolProblem {
  problem: string;
}

type Shape = Record<string, (value: unknown) => boolean>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2 ** 31;
const isBoolean = (value: unknown) => typeof value === 'boolean';
const isInt = (value: unknown) => typeof value === 'number' && Number.isInteger(value);
const isCount = (value: unknown) => isInt(value) && (value as number) >= 0;
const isText =
  (max: number, min = 0) =>
  (value: unknown) =>
    typeof value === 'string' && value.length >= min && value.length <= max;
const isPath = (value: unknown) =>
  isText(maxPathLength, 1)(value) &&
  (value as string).startsWith('/') &&
  !/\0/.test(value as string);
const isArgs = (value: unknown) =>
  Array.isArray(value) && value.length <= maxArgs && value.every(isText(maxArgLength));
const nullable =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === null || check(value);
const optional =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === undefined || check(value);

/** Checks an object has exactly the keys of `shape`, each passing its check. */
function matches(value: Record<string, unknown>, shape: Shape): string | undefined {
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(shape, key)) return `unknown field "${printableKey(key)}"`;
  }
  for (const [key, check] of Object.entries(shape)) {
    if (!check(value[key])) return `field "${key}" is missing or has the wrong type or size`;
  }
  return undefined;
}

function printableKey(key: string): string {
  const cut = key.slice(0, 40).replace(/[^\w.-]/g, '?');
  return key.length > 40 ? `${cut}…` : cut;
}

const clientShapes: Record<ClientMessage['type'], Shape> = {
  hello: { type: isText(16), version: isInt },
  list: { type: isText(16), id: isId, policy: isPath },
  run: {
    type: isText(16),
    id: isId,
    policy: isPath,
    command: isText(maxIdLength, 1),
    args: isArgs,
    stream: isBoolean,
  },
  cancel: { type: isText(16), id: isId },
};

const summaryArgs = (value: unknown) =>
  value === undefined ||
  (isObject(value) &&
    matches(value, {
      pattern: isText(64 * 1024),
      maxCount: isCount,
      allowOptions: isBoolean,
    }) === undefined);
const summaryShape: Shape = {
  id: isText(maxIdLength, 1),
  description: optional(isText(64 * 1024)),
  argv: (value) => Array.isArray(value) && value.every(isText(64 * 1024)),
  env: (value) => Array.isArray(value) && value.every(isText(1024)),
  acceptsArgs: isBoolean,
  args: summaryArgs,
  ttlMs: isCount,
  noNetwork: isBoolean,
  confirm: isBoolean,
  maxOutputBytes: isCount,
};
const resultShape: Shape = {
  exitCode: nullable(isInt),
  signal: nullable(isText(32)),
  durationMs: (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
  stdout: isText(maxBrokerFrameBytes),
  stderr: isText(maxBrokerFrameBytes),
  timedOut: isBoolean,
  canceled: isBoolean,
  truncated: isBoolean,
  redactions: isCount,
  stdoutBytes: isCount,
  stderrBytes: isCount,
  isolation: optional(
    (value) =>
      isObject(value) &&
      matches(value, {
        kind: (kind) =>
          kind === 'namespaces' ||
          kind === 'network-namespace' ||
          kind === 'sandbox-exec' ||
          kind === 'process-group',
        init: (init) => init === 'native' || init === 'node' || init === null,
        bestEffort: isBoolean,
        // Optional: a broker of before Landlock sends none.
        landlock: optional(isBoolean),
        // Optional: a broker of before the seccomp field sends none.
        seccomp: optional(isBoolean),
      }) === undefined,
  ),
};
const brokerShapes: Record<BrokerMessage['type'], Shape> = {
  welcome: { type: isText(16), version: isInt },
  commands: {
    type: isText(16),
    id: isId,
    commands: (value) =>
      Array.isArray(value) &&
      value.every((entry) => isObject(entry) && matches(entry, summaryShape) === undefined),
  },
  output: {
    type: isText(16),
    id: isId,
    stream: (value) => value === 'stdout' || value === 'stderr',
    data: (value) => typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value),
  },
  result: {
    type: isText(16),
    id: isId,
    result: (value) => isObject(value) && matches(value, resultShape) === undefined,
  },
  error: {
    type: isText(16),
    id: nullable(isId),
    code: isText(64, 1),
    message: isText(64 * 1024),
  },
};

function validate<T>(value: unknown, shapes: Record<string, Shape>): T | ProtocolProblem {
  if (!isObject(value)) return { problem: 'a message must be a JSON object' };
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(shapes, type)) {
    return { problem: `unknown message type; expected one of ${Object.keys(shapes).join(', ')}` };
  }
  const shape = shapes[type] as Shape;
  const wrong = matches(value, shape);
  return wrong === undefined ? (value as T) : { problem: `${type}: ${wrong}` };
}

/** Validates a message a client sent (the broker's side of the check). */
export function parseClientMessage(value: unknown): ClientMessage | ProtocolProblem {
  return validate<ClientMessage>(value, clientShapes);
}

/** Validates a message the broker sent (the client's side of the check). */
export function parseBrokerMessage(value: unknown): BrokerMessage | ProtocolProblem {
  return validate<BrokerMessage>(value, brokerShapes);
}

/** Tells a {@link ProtocolProblem} from a message. */
export function isProtocolProblem(value: object): value is ProtocolProblem {
  return Object.hasOwn(value, 'problem');
}

/** One frame: the 4-byte length, then the JSON of `message`. */
export function encodeFrame(message: ClientMessage | BrokerMessage): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** What one {@link FrameDecoder.push} gave: whole frames, then the problem that stopped decoding, if any. */
export interface DecodedFrames {
  values: unknown[];
  problem?: string;
}

/**
 * Splits a byte stream into frames, whatever the chunk boundaries, and parses
 * each as JSON. A frame over `maxFrameBytes` is refused from its length
 * prefix alone: nothing of it is buffered.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #failed = false;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds bytes; returns the whole frames they complete, as parsed JSON, and
   * a problem if a bad frame followed them (after which the stream cannot be
   * trusted to resynchronise and every later push reports a problem).
   */
  push(chunk: Uint8Array): DecodedFrames {
    if (this.#failed) return { values: [], problem: 'the stream already had a bad frame' };
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#buffered += chunk.byteLength;
    const values: unknown[] = [];
    for (;;) {
      if (this.#buffered < 4) return { values };
      const head = this.#peek(4);
      const length = head.readUInt32BE(0);
      if (length > this.#maxFrameBytes) {
        return this.#fail(
          values,
          `a frame of ${length} bytes is over the limit of ${this.#maxFrameBytes}`,
        );
      }
      if (this.#buffered < 4 + length) return { values };
      const frame = this.#take(4 + length).subarray(4);
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame));
      } catch {
        return this.#fail(values, 'a frame is not UTF-8 JSON');
      }
      values.push(value);
    }
  }

  #fail(values: unknown[], problem: string): DecodedFrames {
    this.#failed = true;
    this.#chunks = [];
    this.#buffered = 0;
    return { values, problem };
  }

  #peek(bytes: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= bytes) return first;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  #take(bytes: number): Buffer {
    const joined = this.#peek(bytes);
    const taken = joined.subarray(0, bytes);
    const rest = joined.subarray(bytes);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered -= bytes;
    return Buffer.from(taken);
  }
}
