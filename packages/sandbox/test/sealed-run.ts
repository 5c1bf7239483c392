import { fileURLToPath } from 'node:url';
import {
  type SealedProcess,
  type SealedResult,
  type SpawnSealedOptions,
  spawnSealed,
} from '../src/index.js';

/** The absolute path of a fixture script. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The directory holding the fixtures, used as `cwd`. */
export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** What a sealed run produced: its result and both streams as text. */
export interface SealedRun {
  result: SealedResult;
  stdout: string;
  stderr: string;
}

/** Reads a started sealed process to its end: both streams as text, and its result. */
export async function drainSealed(child: SealedProcess): Promise<SealedRun> {
  const read = async (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const [stdout, stderr, result] = await Promise.all([
    read(child.stdout),
    read(child.stderr),
    child.result,
  ]);
  return { result, stdout, stderr };
}

/** Runs a command sealed to its end, reading both streams; a short TTL unless given. */
export async function sealedRun(
  options: Partial<SpawnSealedOptions> & { argv: readonly string[] },
): Promise<SealedRun> {
  const child = await spawnSealed({
    cwd: fixturesDir,
    ttlMs: 20_000,
    killGraceMs: 500,
    ...options,
  });
  return drainSealed(child);
}

/** Runs a fixture with the Node running the tests. */
export function nodeFixture(name: string, ...args: string[]): string[] {
  return [process.execPath, fixture(name), ...args];
}
