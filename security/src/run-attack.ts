import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { isIronrunError, type RunResult, runSealed } from '@ironrun/core';
import { expect } from 'vitest';
import { currentAblation } from './ablation.js';
import type { AttackCase, CaseContext, Outcome } from './attack-case.js';
import { type AttackProject, createAttackProject } from './attack-project.js';
import { leakScanner } from './secret-forms.js';
import { namedSecrets, testSecrets } from './test-secrets.js';

const fixturesDir = join(import.meta.dirname, '..', 'test', 'fixtures');

/** The fixtures every attack project gets. */
export async function standardFiles(): Promise<Record<string, string>> {
  return {
    'emit.mjs': await readFile(join(fixturesDir, 'emit.mjs'), 'utf8'),
    'net.mjs': await readFile(join(fixturesDir, 'net.mjs'), 'utf8'),
  };
}

/** The default `provider:` of a case: envfile reading the secrets file outside the project. */
export function envfileProvider(ctx: CaseContext): string {
  return `\n  name: envfile\n  path: ${JSON.stringify(ctx.secretsPath)}`;
}

/** Everything an error exposes: message, stack, own properties and causes. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      try {
        parts.push(JSON.stringify(current));
      } catch {
        parts.push(String(current));
      }
      current = current.cause;
    } else {
      parts.push(
        typeof current === 'string' ? current : (JSON.stringify(current) ?? String(current)),
      );
      break;
    }
  }
  return parts.join('\n');
}

// Cases that set variables in the caller's environment run alone; the others share.
let exclusive: Promise<void> = Promise.resolve();
let shared = 0;
let sharedDrained: (() => void) | undefined;

export async function withCallerEnv<T>(
  env: Record<string, string> | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (env === undefined) {
    await exclusive;
    shared++;
    try {
      return await work();
    } finally {
      shared--;
      if (shared === 0) sharedDrained?.();
    }
  }
  const previous = exclusive;
  let release: () => void = () => {};
  exclusive = new Promise((done) => {
    release = done;
  });
  await previous;
  if (shared > 0) await new Promise<void>((done) => (sharedDrained = done));
  sharedDrained = undefined;
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    release();
  }
}

/** A listener outside the sandbox that records what reaches it. */
interface Listener {
  server: Server;
  connections: number;
  received: string;
}

async function openListener(
  kind: NonNullable<AttackCase['listen']>,
  socketName: string,
): Promise<Listener> {
  const listener: Listener = { server: createServer(), connections: 0, received: '' };
  listener.server.on('connection', (socket) => {
    listener.connections++;
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      listener.received += data;
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((ready, fail) => {
    listener.server.once('error', fail);
    if (kind === 'abstract') listener.server.listen(`\0${socketName}`, ready);
    else listener.server.listen(0, kind === 'tcp6' ? '::1' : '127.0.0.1', ready);
  });
  return listener;
}

/** A prepared case: project built (and trusted), listener open, ready for any frontend. */
export interface PreparedCase {
  attack: AttackCase;
  project: AttackProject;
  context: CaseContext;
  listener?: Listener;
  callerEnv?: Record<string, string>;
  /** Closes the listener and removes the temporary folders. */
  dispose(): Promise<void>;
}

/** Builds the project of `attack`, trusts it unless told otherwise, and applies the agent's later edits. */
export async function prepareCase(attack: AttackCase): Promise<PreparedCase> {
  const token = `ironrun-orphan-${randomBytes(6).toString('hex')}`;
  const socketName = `ironrun-attack-${randomBytes(6).toString('hex')}`;
  const listener =
    attack.listen === undefined ? undefined : await openListener(attack.listen, socketName);
  const address = listener?.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let context: CaseContext = { dir: '', secretsPath: '', port, socketName, token };
  const files = await standardFiles();
  const project = await createAttackProject({
    secrets: testSecrets,
    files: {},
    policy: ({ secretsPath, dir }) => {
      context = { ...context, dir, secretsPath };
      const provider = (attack.provider ?? envfileProvider)(context);
      return `version: 1\nprovider: ${provider}\ncommands:\n${attack.commands(context)}`;
    },
  });
  await project.project.write({ ...files, ...attack.files?.(context) });
  if (attack.trusted !== false) {
    try {
      await project.trust();
    } catch {
      // An invalid policy cannot be trusted; the run reports why.
    }
  }
  await attack.afterTrust?.(project, context);
  const callerEnv = attack.callerEnv?.(context);
  return {
    attack,
    project,
    context,
    ...(listener === undefined ? {} : { listener }),
    ...(callerEnv === undefined ? {} : { callerEnv }),
    dispose: async () => {
      if (listener !== undefined)
        await new Promise<void>((done) => listener.server.close(() => done()));
      await project.cleanup();
    },
  };
}

/** Waits a little for stray data to reach the listener, then reads what every surface exposes. */
export async function collectExposure(
  prepared: PreparedCase,
  exposed: { label: string; text: string }[],
): Promise<Pick<Outcome, 'exposed' | 'listener' | 'ran'>> {
  if (prepared.listener !== undefined) await new Promise((done) => setTimeout(done, 100));
  const files = await prepared.project.writtenFiles();
  const listener = prepared.listener;
  return {
    ran: prepared.project.ran(),
    exposed: [
      ...exposed,
      ...files,
      ...(listener === undefined ? [] : [{ label: 'listener', text: listener.received }]),
    ],
    ...(listener === undefined
      ? {}
      : { listener: { connections: listener.connections, received: listener.received } }),
  };
}

/** What one frontend's run gave back: its result or error, and the output it streamed live. */
export interface SealedRunCapture {
  result: RunResult | undefined;
  error: unknown;
  streamed: { stdout: Uint8Array[]; stderr: Uint8Array[] };
}

/**
 * The outcome of a run through `runSealed` itself or through the broker:
 * the agent-facing fields, the refusal, and every secret found in what the
 * caller received (result, error, live output, a foreign error's text) or
 * in the files and listener of the case.
 */
export async function sealedOutcome(
  frontend: 'core' | 'broker',
  prepared: PreparedCase,
  { result, error, streamed }: SealedRunCapture,
): Promise<Outcome> {
  const exposed = [
    { label: 'result', text: JSON.stringify(result ?? null) },
    { label: 'error', text: error === undefined ? '' : errorText(error) },
    { label: 'live stdout', text: Buffer.concat(streamed.stdout).toString('latin1') },
    { label: 'live stderr', text: Buffer.concat(streamed.stderr).toString('latin1') },
  ];
  if (error !== undefined && !isIronrunError(error))
    exposed.push({ label: 'foreign error', text: String(error) });
  return {
    frontend,
    ...(result === undefined
      ? {}
      : {
          result: {
            exitCode: result.exitCode,
            stdout: result.stdout,
            stderr: result.stderr,
            timedOut: result.timedOut,
            truncated: result.truncated,
            redactions: result.redactions,
          },
        }),
    ...(error === undefined
      ? {}
      : {
          refusal: {
            ...(isIronrunError(error) ? { code: error.code } : {}),
            message: error instanceof Error ? error.message : String(error),
          },
        }),
    ...(await collectExposure(prepared, exposed)),
    project: prepared.project,
    context: prepared.context,
  };
}

// Ablating the TTL must not hang the suite: the harness cancels a run after its own deadline.
export const harnessDeadlineMs = 12_000;

/** Runs a prepared case through `runSealed`, with the current ablation applied. */
export async function runThroughCore(prepared: PreparedCase): Promise<Outcome> {
  const { attack, project } = prepared;
  const streamed = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  let result: RunResult | undefined;
  let error: unknown;
  await withCallerEnv(prepared.callerEnv, async () => {
    try {
      result = await runSealed({
        policy: project.policyPath,
        commandId: attack.commandId ?? 'attack',
        args: attack.args ?? [],
        providers: { envfile: () => import('@ironrun/providers-envfile') },
        configDir: project.configDir,
        skipTrust: currentAblation() === 'trust',
        signal: AbortSignal.timeout(harnessDeadlineMs),
        onStdout: (chunk) => streamed.stdout.push(chunk),
        onStderr: (chunk) => streamed.stderr.push(chunk),
        ...(attack.resolveTimeoutMs === undefined
          ? {}
          : { resolveTimeoutMs: attack.resolveTimeoutMs }),
      });
    } catch (caught) {
      error = caught;
    }
  });
  return sealedOutcome('core', prepared, { result, error, streamed });
}

/** Asserts that no form of any test secret (nor `extra` values) appears in anything the agent could read. */
export function expectNoLeak(outcome: Outcome, extra: Record<string, string> = {}): void {
  const scanner = leakScanner(namedSecrets(extra));
  const leaks = outcome.exposed.flatMap(({ label, text }) =>
    scanner.scan(text).map((leak) => `${leak} in ${label}`),
  );
  // Latin-1 decoding keeps every byte; scan the UTF-8 reading of each text too.
  const utf8 = outcome.exposed.flatMap(({ label, text }) =>
    scanner.scan(Buffer.from(text, 'latin1').toString('utf8')).map((leak) => `${leak} in ${label}`),
  );
  expect([...new Set([...leaks, ...utf8])], 'secret values reached the agent').toEqual([]);
}

/** The pids of processes whose command line holds `token` (Linux /proc), other than this one. */
export async function processesWith(token: string): Promise<number[]> {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return found;
  }
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
      .map(async (entry) => {
        try {
          const cmdline = await readFile(`/proc/${entry}/cmdline`, 'latin1');
          if (cmdline.includes(token)) found.push(Number(entry));
        } catch {
          // gone
        }
      }),
  );
  return found;
}

/** Waits up to `ms` for every process holding `token` to be gone; returns those left. */
export async function strayProcesses(token: string, ms = 1500): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = await processesWith(token);
    if (left.length === 0 || Date.now() > until) {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return left;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}
