import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { brokerSocket, isConfined } from './agent-confinement.js';
import { builtinCredentialVariables, providerSecretLocations } from './secret-locations.js';

/** One line of the `doctor` report (the same shape `doctor` prints). */
export interface ConfinementCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'info';
  detail: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Tries to read a location as the agent would: what it yields, or why nothing. */
async function tryRead(path: string): Promise<'absent' | 'empty' | 'readable'> {
  try {
    const entries = await readdir(path);
    return entries.length === 0 ? 'empty' : 'readable';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code !== 'ENOTDIR') return 'empty';
  }
  try {
    return (await readFile(path)).length === 0 ? 'empty' : 'readable';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'empty';
  }
}

/**
 * The `confined` lines of `ironrun doctor`. Outside `ironrun agent`: a note
 * on how to start the agent confined. Inside: `confined: yes`, then every
 * secret location is tried (each must be absent or empty), the environment
 * is searched for credential variables, and the broker is asked for a hello.
 */
export async function confinementChecks(options: {
  env: Env;
  configDir: string;
  envfile?: string | undefined;
}): Promise<ConfinementCheck[]> {
  const { env, configDir } = options;
  if (!isConfined(env, configDir)) {
    return [
      {
        name: 'confined',
        status: 'info',
        detail:
          'no: this is not inside `ironrun agent`; an agent started from here can read what ironrun reads. Start it with `ironrun agent -- <agent>`',
      },
    ];
  }
  const checks: ConfinementCheck[] = [
    {
      name: 'confined',
      status: 'ok',
      detail: `yes (${env.IRONRUN_CONFINED ?? 'tmpfs over the config folder'})`,
    },
  ];
  const home = homedir();
  const candidates = [
    configDir,
    join(configDir, 'secrets.env'),
    join(configDir, 'trust'),
    join(home, '.config', 'ironrun'),
    ...(options.envfile === undefined ? [] : [options.envfile]),
    ...providerSecretLocations(env, home).map((location) => location.path),
  ];
  for (const path of [...new Set(candidates)]) {
    const state = await tryRead(path);
    checks.push({
      name: 'secret location',
      status: state === 'readable' ? 'fail' : 'ok',
      detail: `${path}: ${state === 'readable' ? 'READABLE from inside' : state}`,
    });
  }
  const leaked = builtinCredentialVariables().filter((name) => env[name]);
  checks.push(
    leaked.length === 0
      ? { name: 'credential variables', status: 'ok', detail: 'none in this environment' }
      : {
          name: 'credential variables',
          status: 'fail',
          detail: `set inside: ${leaked.join(', ')}`,
        },
  );
  const socket = brokerSocket(env);
  if (socket === undefined) {
    checks.push({
      name: 'broker',
      status: 'fail',
      detail: 'IRONRUN_BROKER is not set: clients cannot forward',
    });
  } else {
    try {
      const { connectBroker } = await import('@ironrun/core');
      (await connectBroker(socket, { timeoutMs: 3000 })).close();
      checks.push({ name: 'broker', status: 'ok', detail: `reachable at ${socket}` });
    } catch (error) {
      checks.push({
        name: 'broker',
        status: 'fail',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return checks;
}
