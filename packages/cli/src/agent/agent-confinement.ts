import { readFileSync } from 'node:fs';

type Env = Readonly<Record<string, string | undefined>>;

/** The variable that tells clients inside where the broker's socket is. */
export const brokerSocketVariable = 'IRONRUN_BROKER';
/** The variable `ironrun agent` sets inside: how the agent is confined. */
export const confinedVariable = 'IRONRUN_CONFINED';

/** The broker's socket path, when this process runs inside `ironrun agent`. */
export function brokerSocket(env: Env): string | undefined {
  const socket = env[brokerSocketVariable];
  return socket?.startsWith('/') ? socket : undefined;
}

/** Mount points of this process's mount namespace with their fstype and options. */
function mounts(): { point: string; fstype: string; options: string }[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const [left, right] = line.split(' - ');
    const fields = left?.split(' ') ?? [];
    const [fstype] = right?.split(' ') ?? [];
    const point = fields[4];
    if (point === undefined || fstype === undefined) return [];
    const decoded = point.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    return [{ point: decoded, fstype, options: fields[5] ?? '' }];
  });
}

/**
 * Whether this process runs inside `ironrun agent`'s confinement: the
 * variable it sets, or (should the agent have removed that) the ironrun
 * config folder covered by an empty read-only tmpfs, which only the
 * confinement does.
 */
export function isConfined(env: Env, configDir: string): boolean {
  if (env[confinedVariable] !== undefined && env[confinedVariable] !== '') return true;
  return mounts().some(
    (mount) =>
      mount.point === configDir && mount.fstype === 'tmpfs' && /(^|,)ro(,|$)/.test(mount.options),
  );
}

/**
 * The agent's environment: the caller's, without the credential variables
 * the providers declare, and with where to find the broker.
 */
export function agentEnvironment(
  env: Env,
  options: { variables: readonly string[]; socketPath: string; kind: string },
): Record<string, string> {
  const removed = new Set(options.variables);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !removed.has(name)) result[name] = value;
  }
  result[brokerSocketVariable] = options.socketPath;
  result[confinedVariable] = options.kind;
  return result;
}
