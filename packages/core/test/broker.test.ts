import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../src/broker-protocol.js';
import {
  type BrokerHandle,
  connectBroker,
  isIronrunError,
  type RunResult,
  startBroker,
} from '../src/index.js';
import {
  builtinProviders,
  errorText,
  type SealedProject,
  sealedProject,
} from './sealed-project.js';

const SECRET = `sk_live_${randomBytes(12).toString('hex')}`;

const policy = `version: 1
provider:
  name: envfile
  path: {{SECRETS}}
commands:
  - id: print
    argv: [./scripts/print.sh]
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: slow
    argv: [./scripts/slow.sh]
    ttl: 20s
    env:
      API_TOKEN: envfile://API_TOKEN
  - id: guarded
    argv: [./scripts/print.sh]
    confirm: true
    env:
      API_TOKEN: envfile://API_TOKEN
`;

let sealed: SealedProject;
let broker: BrokerHandle;
let socketDir: string;

beforeAll(async () => {
  sealed = await sealedProject({
    policy,
    files: {
      'scripts/print.sh': '#!/bin/sh\necho "token is $API_TOKEN"\n',
      'scripts/slow.sh': '#!/bin/sh\necho "started $API_TOKEN"\nsleep 2\necho done\n',
    },
    secrets: { API_TOKEN: SECRET },
  });
  socketDir = await mkdtemp(join(tmpdir(), 'ironrun-broker-test-'));
  broker = await startBroker({
    socketPath: join(socketDir, 'broker.sock'),
    providers: builtinProviders,
    configDir: sealed.configDir,
    env: {},
  });
});

afterAll(async () => {
  await broker.close();
  await rm(socketDir, { recursive: true, force: true });
  await sealed.cleanup();
});

/** Sends raw bytes as an attacker would and collects what the broker answers until it closes. */
function rawExchange(
  bytes: Buffer[],
  waitMs = 3000,
): Promise<{ messages: unknown[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(broker.socketPath);
    const decoder = new FrameDecoder(64 * 1024 * 1024);
    const messages: unknown[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ messages, closed: false });
    }, waitMs);
    socket.on('connect', () => {
      for (const chunk of bytes) socket.write(chunk);
    });
    socket.on('data', (chunk) => {
      messages.push(...decoder.push(chunk).values);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ messages, closed: true });
    });
  });
}

const hello = encodeFrame({ type: 'hello', version: 1 });

describe('startBroker', () => {
  it('runs a command through runSealed and returns only the redacted result', async () => {
    const client = await connectBroker(broker.socketPath);
    const chunks: Buffer[] = [];
    const result = await client.runSealed({
      policy: sealed.policyPath,
      commandId: 'print',
      onStdout: (chunk) => chunks.push(Buffer.from(chunk)),
    });
    client.close();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('token is [REDACTED]\n');
    expect(result.redactions).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe('token is [REDACTED]\n');
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('lists the commands of a trusted policy', async () => {
    const client = await connectBroker(broker.socketPath);
    const commands = await client.listCommands(sealed.policyPath);
    client.close();
    expect(commands.map((command) => command.id)).toEqual(['print', 'slow', 'guarded']);
    expect(JSON.stringify(commands)).not.toContain(SECRET);
  });

  it('asks only its own approver for a confirm: true command, once per run, and runs it on yes', async () => {
    const asked: { commandId: string; refs: string[] }[] = [];
    const answers = [false, true];
    const approving = await startBroker({
      socketPath: join(socketDir, 'approving.sock'),
      providers: builtinProviders,
      configDir: sealed.configDir,
      env: {},
      confirm: async (request) => {
        asked.push({ commandId: request.commandId, refs: request.refs });
        return answers.shift() ?? false;
      },
    });
    try {
      const client = await connectBroker(approving.socketPath);
      const declined = await client
        .runSealed({ policy: sealed.policyPath, commandId: 'guarded' })
        .catch((caught: unknown) => caught);
      const approved = await client.runSealed({ policy: sealed.policyPath, commandId: 'guarded' });
      client.close();
      expect(isIronrunError(declined) && declined.code).toBe('CONFIRM_DECLINED');
      expect(approved.stdout).toBe('token is [REDACTED]\n');
      expect(asked).toEqual([
        { commandId: 'guarded', refs: ['envfile://API_TOKEN'] },
        { commandId: 'guarded', refs: ['envfile://API_TOKEN'] },
      ]);
      // A command without confirm never reaches the approver.
      const plain = await connectBroker(approving.socketPath);
      await plain.runSealed({ policy: sealed.policyPath, commandId: 'print' });
      plain.close();
      expect(asked).toHaveLength(2);
    } finally {
      await approving.close();
    }
  });

  it('refuses a command marked confirm: true, since no person can be asked through it', async () => {
    const client = await connectBroker(broker.socketPath);
    const error = await client
      .runSealed({ policy: sealed.policyPath, commandId: 'guarded' })
      .catch((caught: unknown) => caught);
    client.close();
    expect(isIronrunError(error) && error.code).toBe('CONFIRM_DECLINED');
  });

  it('checks trust against its own store: a policy trusted elsewhere is refused', async () => {
    const other = await sealedProject({
      policy,
      files: { 'scripts/print.sh': '#!/bin/sh\necho "token is $API_TOKEN"\n' },
      secrets: { API_TOKEN: SECRET },
    });
    try {
      const client = await connectBroker(broker.socketPath);
      const error = await client
        .runSealed({ policy: other.policyPath, commandId: 'print' })
        .catch((caught: unknown) => caught);
      client.close();
      expect(isIronrunError(error) && error.code).toBe('TRUST_UNTRUSTED');
      expect(errorText(error)).not.toContain(SECRET);
    } finally {
      await other.cleanup();
    }
  });
});

describe('broker protocol attacks', () => {
  it('a request before hello gets an error and the connection is closed', async () => {
    const { messages, closed } = await rawExchange([
      encodeFrame({
        type: 'run',
        id: 1,
        policy: sealed.policyPath,
        command: 'print',
        args: [],
        stream: false,
      }),
    ]);
    expect(closed).toBe(true);
    expect(messages).toEqual([
      expect.objectContaining({ type: 'error', id: null, code: 'OUT_OF_ORDER' }),
    ]);
  });

  it('a wrong protocol version gets an error naming the version the broker speaks', async () => {
    const { messages, closed } = await rawExchange([encodeFrame({ type: 'hello', version: 99 })]);
    expect(closed).toBe(true);
    expect(messages).toEqual([expect.objectContaining({ type: 'error', code: 'VERSION' })]);
  });

  it('an oversized frame is refused from its length prefix', async () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1024 * 1024 * 1024, 0);
    const { messages, closed } = await rawExchange([hello, head, Buffer.alloc(64 * 1024, 0x61)]);
    expect(closed).toBe(true);
    expect(messages).toEqual([
      { type: 'welcome', version: 1 },
      expect.objectContaining({ type: 'error', code: 'BAD_FRAME' }),
    ]);
  });

  it('garbage and crafted messages get an error, never a crash, and the broker keeps serving', async () => {
    const body = Buffer.from('{"type":"run","id":1,"policy":');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    const crafted = [
      [hello, head, body],
      [
        hello,
        encodeFrame({
          type: 'run',
          id: 1,
          policy: sealed.policyPath,
          command: 'print',
          args: [],
          stream: false,
          configDir: '/tmp/forged',
        } as never),
      ],
      [hello, encodeFrame({ type: 'list', id: -1, policy: sealed.policyPath } as never)],
      [hello, encodeFrame({ type: '__proto__', id: 1 } as never)],
      [hello, hello],
      [Buffer.from(randomBytes(512))],
    ];
    for (const bytes of crafted) {
      const { messages, closed } = await rawExchange(bytes);
      expect(closed).toBe(true);
      expect(messages.at(-1)).toEqual(expect.objectContaining({ type: 'error', id: null }));
      expect(JSON.stringify(messages)).not.toContain(SECRET);
    }
    const client = await connectBroker(broker.socketPath);
    const result = await client.runSealed({ policy: sealed.policyPath, commandId: 'print' });
    client.close();
    expect(result.stdout).toBe('token is [REDACTED]\n');
  });

  it('one connection cannot cancel or see the runs of another', async () => {
    const victim = await connectBroker(broker.socketPath);
    const victimOutput: Buffer[] = [];
    const running = victim.runSealed({
      policy: sealed.policyPath,
      commandId: 'slow',
      onStdout: (chunk) => victimOutput.push(Buffer.from(chunk)),
    });
    // The attacker guesses the victim's request ids and cancels them all, then waits for anything.
    const cancels = Array.from({ length: 16 }, (_, index) =>
      encodeFrame({ type: 'cancel', id: index + 1 }),
    );
    const attacker = await rawExchange([hello, ...cancels], 2500);
    const result: RunResult = await running;
    victim.close();
    expect(result.canceled).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('started [REDACTED]\ndone\n');
    expect(attacker.messages).toEqual([{ type: 'welcome', version: 1 }]);
    expect(Buffer.concat(victimOutput).toString()).toContain('started [REDACTED]');
  });

  it('closing a connection cancels its runs', async () => {
    const client = await connectBroker(broker.socketPath);
    const controller = new AbortController();
    const running = client.runSealed({
      policy: sealed.policyPath,
      commandId: 'slow',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    const result = await running;
    client.close();
    expect(result.canceled).toBe(true);
  });
});
