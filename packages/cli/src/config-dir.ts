/**
 * The ironrun config folder (where trust records live), by core's one rule
 * (`defaultConfigDir`): `$IRONRUN_CONFIG_DIR`, else an absolute
 * `$XDG_CONFIG_HOME/ironrun`, else the platform default. `run`, `trust` and
 * every other command read the same store.
 */
export async function ironrunConfigDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const { defaultConfigDir } = await import('@ironrun/core/paths');
  return defaultConfigDir(env);
}
