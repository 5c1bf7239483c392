import { dirname } from 'node:path';
import type { SecretLocation } from './secret-locations.js';

/**
 * A string literal of the sandbox profile language (SBPL, a Scheme), escaped: a backslash and
 * a double quote are the only characters that can end or change a string there, so a path
 * cannot close its literal and add a rule of its own.
 */
function sbplString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Every folder above `path`, up to (not including) `/`. */
function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let folder = dirname(path); folder !== '/' && folder !== '.'; folder = dirname(folder)) {
    found.push(folder);
  }
  return found;
}

/**
 * The `sandbox-exec` profile that confines the agent on macOS: everything
 * allowed (project, home, network, terminal) except:
 *
 * - reading or writing the secret locations: a folder and all beneath it
 *   (`subpath`), a file by its path (`literal`), and each path in `absent`
 *   (a location that does not exist yet, such as `~/.doppler` before a login)
 *   as a `subpath`, since a path rule holds for a file made later;
 * - renaming or removing a folder above one of them (`file-write*` on each
 *   such folder itself): the rules match paths, so a folder moved aside would
 *   take its secrets to a path no rule names;
 * - inspecting, signalling, or taking the task port of (debugging) any
 *   process outside the agent's own sandbox (the broker and the sealed
 *   children run outside it).
 *
 * The broker's socket stays reachable: forwarding to it is the point. Its folder is not
 * protected (the agent could remove the socket and so stop its own forwarding; no secret is
 * there).
 *
 * UNTESTED: no macOS machine was available when this was written; the
 * profile follows Apple's SBPL as used by the system's own profiles, and
 * `ironrun agent` on macOS must be checked by hand before it is relied on.
 */
export function macosSandboxProfile(
  locations: readonly SecretLocation[],
  absent: readonly string[] = [],
): string {
  const filters = [
    ...locations.map((location) =>
      location.kind === 'directory'
        ? `(subpath ${sbplString(location.path)})`
        : `(literal ${sbplString(location.path)})`,
    ),
    ...absent.map((path) => `(subpath ${sbplString(path)})`),
  ];
  const hidden = new Set([...locations.map((location) => location.path), ...absent]);
  const folders = [
    ...new Set([...hidden].flatMap(ancestors).filter((folder) => !hidden.has(folder))),
  ].sort();
  return [
    '(version 1)',
    '(allow default)',
    ...(filters.length === 0 ? [] : [`(deny file-read* file-write* ${filters.join(' ')})`]),
    ...(folders.length === 0
      ? []
      : [
          `(deny file-write* ${folders.map((folder) => `(literal ${sbplString(folder)})`).join(' ')})`,
        ]),
    '(deny process-info* (target others))',
    '(deny signal (target others))',
    '(deny mach-task-name (target others))',
    '(deny mach-priv-task-port (target others))',
    '(deny process-info-pidinfo (target others))',
    '(allow process-info* (target same-sandbox))',
    '(allow signal (target same-sandbox))',
    '(allow mach-priv-task-port (target same-sandbox))',
  ].join('\n');
}
