import type { SecretLocation } from './secret-locations.js';

/** A string literal of the sandbox profile language (SBPL), escaped. */
function sbplString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The `sandbox-exec` profile that confines the agent on macOS: everything
 * allowed (project, home, network, terminal) except reading or writing the
 * secret locations, and inspecting, signalling or debugging any process
 * outside the agent's own sandbox (the broker and the sealed children run
 * outside it).
 *
 * UNTESTED: no macOS machine was available when this was written; the
 * profile follows Apple's SBPL as used by the system's own profiles, and
 * `ironrun agent` on macOS must be checked by hand before it is relied on.
 */
export function macosSandboxProfile(locations: readonly SecretLocation[]): string {
  const filters = locations.map((location) =>
    location.kind === 'directory'
      ? `(subpath ${sbplString(location.path)})`
      : `(literal ${sbplString(location.path)})`,
  );
  return [
    '(version 1)',
    '(allow default)',
    ...(filters.length === 0 ? [] : [`(deny file-read* file-write* ${filters.join(' ')})`]),
    '(deny process-info* (target others))',
    '(deny signal (target others))',
    '(deny mach-task-name (target others))',
    '(deny process-info-pidinfo (target others))',
    '(allow process-info* (target same-sandbox))',
    '(allow signal (target same-sandbox))',
  ].join('\n');
}
