import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBroker, type RunResult, startBroker } from '@ironrun/core';
import type { Outcome } from './attack-case.js';
import {
  harnessDeadlineMs,
  type PreparedCase,
  sealedOutcome,
  withCallerEnv,
} from './run-attack.js';

/**
 * Runs a case as a client inside `ironrun agent` does: through the broker
 * (its own unix socket, its trust store being the case's config folder, the
 * caller's environment as its credentials), with live output streamed back.
 * Everything the client receives is what the agent could read.
 */
export async function runThroughBroker(prepared: PreparedCase): Promise<Outcome> {
  const { attack, project } = prepared;
  const streamed = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  let result: RunResult | undefined;
  let error: unknown;
  const socketDir = await mkdtemp(join(tmpdir(), 'ironrun-broker-attack-'));
  await withCallerEnv(prepared.callerEnv, async () => {
    const broker = await startBroker({
      socketPath: join(socketDir, 'broker.sock'),
      providers: { envfile: () => import('@ironrun/providers-envfile') },
      configDir: project.configDir,
      ...(attack.resolveTimeoutMs === undefined
        ? {}
        : { resolveTimeoutMs: attack.resolveTimeoutMs }),
    });
    try {
      const client = await connectBroker(broker.socketPath);
      try {
        result = await client.runSealed({
          policy: project.policyPath,
          commandId: attack.commandId ?? 'attack',
          args: attack.args ?? [],
          signal: AbortSignal.timeout(harnessDeadlineMs),
          onStdout: (chunk) => streamed.stdout.push(chunk),
          onStderr: (chunk) => streamed.stderr.push(chunk),
        });
      } catch (caught) {
        error = caught;
      } finally {
        client.close();
      }
    } finally {
      await broker.close();
      await rm(socketDir, { recursive: true, force: true });
    }
  });
  return sealedOutcome('broker', prepared, { result, error, streamed });
}
