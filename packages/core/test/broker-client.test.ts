import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/broker-protocol.js';
import { connectBroker, isIronrunError } from '../src/index.js';

let server: Server | undefined;
let dir: string | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A fake broker that welcomes, then answers the first request with `answer(socket)`. */
async function fakeBroker(answer: (socket: Socket) => void): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'ironrun-fake-broker-'));
  const socketPath = join(dir, 'broker.sock');
  server = createServer((socket) => {
    let greeted = false;
    socket.on('data', () => {
      if (!greeted) {
        greeted = true;
        socket.write(encodeFrame({ type: 'welcome', version: 1 }));
      } else answer(socket);
    });
  });
  await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
  return socketPath;
}

const result = {
  exitCode: 0,
  signal: null,
  durationMs: 1,
  stdout: '',
  stderr: '',
  timedOut: false,
  canceled: false,
  truncated: false,
  redactions: 0,
  stdoutBytes: 0,
  stderrBytes: 0,
};

describe('connectBroker', () => {
  it('refuses a result carrying a field the protocol does not know', async () => {
    const socketPath = await fakeBroker((socket) => {
      socket.write(
        encodeFrame({ type: 'result', id: 1, result: { ...result, env: { TOKEN: 'x' } } } as never),
      );
    });
    const client = await connectBroker(socketPath);
    const error = await client
      .runSealed({ policy: '/p/ironrun.yml', commandId: 'x' })
      .catch((caught: unknown) => caught);
    expect(isIronrunError(error) && error.code).toBe('BROKER');
    expect(String((error as Error).message)).toMatch(/bad message/);
  });

  it('refuses an answer to a request it never made', async () => {
    const socketPath = await fakeBroker((socket) => {
      socket.write(encodeFrame({ type: 'result', id: 9, result }));
    });
    const client = await connectBroker(socketPath);
    const error = await client
      .runSealed({ policy: '/p/ironrun.yml', commandId: 'x' })
      .catch((caught: unknown) => caught);
    expect(isIronrunError(error) && error.message).toMatch(/request 9, which is not open/);
  });

  it('maps a broker refusal to the same IronrunError code the pipeline threw', async () => {
    const socketPath = await fakeBroker((socket) => {
      socket.write(
        encodeFrame({ type: 'error', id: 1, code: 'TRUST_CHANGED', message: 'ironrun: changed' }),
      );
    });
    const client = await connectBroker(socketPath);
    const error = await client
      .runSealed({ policy: '/p/ironrun.yml', commandId: 'x' })
      .catch((caught: unknown) => caught);
    client.close();
    expect(isIronrunError(error) && error.code).toBe('TRUST_CHANGED');
  });

  it('fails with BROKER when nothing listens on the socket', async () => {
    const error = await connectBroker('/nonexistent/ironrun-broker.sock').catch(
      (caught: unknown) => caught,
    );
    expect(isIronrunError(error) && error.code).toBe('BROKER');
    expect((error as Error).message).toMatch(/Is `ironrun agent` still running/);
  });

  it('waits for a broker that starts listening only after the client tried (ironrun agent listens after the launch)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ironrun-late-broker-'));
    const socketPath = join(dir, 'broker.sock');
    const connecting = connectBroker(socketPath);
    await new Promise((resolve) => setTimeout(resolve, 50));
    server = createServer((socket) => {
      socket.once('data', () => socket.write(encodeFrame({ type: 'welcome', version: 1 })));
    });
    await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
    const client = await connecting;
    client.close();
  });

  it('gives up on a socket nobody listens on once the wait for a late broker is over', async () => {
    const error = await connectBroker('/nonexistent/ironrun-broker.sock').catch(
      (caught: unknown) => caught,
    );
    expect(isIronrunError(error) && error.message).toMatch(/ENOENT/);
  });
});
