import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpawnerProcess } from '../src/spawner-process.js';
import { fixture } from './sealed-run.js';

/**
 * The token of a run's streams, attacked from outside the seal (runs cannot
 * reach the listener: sealed-spawner.test.ts): a process of the same user
 * that finds the listener connects while a run waits for its streams.
 */
const folder = mkdtempSync(join(tmpdir(), 'ironrun-token-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A stand-in for the native spawner that connects a run's streams only once told. */
function fakeSpawner(): string {
  const wrapper = join(folder, 'spawner.sh');
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(fixture('fake-spawner.mjs'))} ${quote(folder)} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    stream.once('end', () => resolve(text));
    stream.once('close', () => resolve(text));
  });
}

describe.skipIf(process.platform !== 'linux')('SpawnerProcess', () => {
  it("attack: a connection with a made-up token while a run waits for its streams becomes none of the run's streams", async () => {
    const server = new SpawnerProcess(fakeSpawner());
    try {
      const launched = server.launch({ user: false, net: false }, 20_000, 'victim');
      await until(() => existsSync(join(folder, 'requested')));
      const listener = readFileSync(join(folder, 'listener'), 'utf8');
      // The run is pending (the spawner holds its streams back): offer one as its stdout.
      const attacker = connect(listener);
      await new Promise<void>((resolve) => attacker.once('connect', () => resolve()));
      attacker.on('error', () => {});
      attacker.write(`${'0'.repeat(32)}oINJECTED\n`);
      const dropped = await Promise.race([
        new Promise<boolean>((resolve) => attacker.once('close', () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000)),
      ]);
      // Taken as the run's stdout, it would end the stream with what it wrote.
      attacker.destroy();
      writeFileSync(join(folder, 'go'), '');
      const leader = await launched;
      expect(leader).toBeDefined();
      const stdout = await readAll(leader!.stdout!);
      expect(stdout).toBe('from-the-run\n');
      expect(dropped).toBe(true);
    } finally {
      await server.close();
    }
  });
});
