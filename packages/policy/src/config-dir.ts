import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The folder where ironrun keeps per-user state such as the trust store,
 * outside every repository: `$IRONRUN_CONFIG_DIR` when set, else
 * `$XDG_CONFIG_HOME/ironrun` (when absolute), else the platform's default
 * (`~/.config/ironrun` on Linux, `~/Library/Application Support/ironrun` on
 * macOS, `%APPDATA%\ironrun` on Windows).
 *
 * @param env Where the variables are read. @default process.env
 * @param platform The platform whose default applies. @default process.platform
 */
export function defaultConfigDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const explicit = env.IRONRUN_CONFIG_DIR;
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'ironrun');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'ironrun');
  if (platform === 'win32') {
    const appData = env.APPDATA;
    return appData !== undefined && appData !== ''
      ? join(appData, 'ironrun')
      : join(homedir(), 'AppData', 'Roaming', 'ironrun');
  }
  return join(homedir(), '.config', 'ironrun');
}
