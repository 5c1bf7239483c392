import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where ironrun keeps per-user state (saved run output):
 * `$IRONRUN_STATE_DIR`, else `$XDG_STATE_HOME/ironrun`, else
 * `~/.local/state/ironrun`. Always outside any repository.
 */
export function defaultStateDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (env.IRONRUN_STATE_DIR) return env.IRONRUN_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'ironrun');
  return join(homedir(), '.local', 'state', 'ironrun');
}
