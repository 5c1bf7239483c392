import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** util-linux `setpriv`, which the e2e tests use to run a program as an ordinary user. */
export const setpriv = '/usr/bin/setpriv';

/** `setpriv`'s options for uid and gid 65534 (nobody) with no supplementary groups. */
export const nobody: readonly string[] = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * Whether uid 65534 can make the user, mount and PID namespaces `ironrun agent` needs: the
 * test runs as root (setpriv needs it to switch) and the kernel allows unprivileged user
 * namespaces. Runs a probe, so call it once per file.
 */
export function nobodyMakesNamespaces(): boolean {
  return (
    process.getuid?.() === 0 &&
    existsSync(setpriv) &&
    spawnSync(
      setpriv,
      [
        ...nobody,
        '/usr/bin/unshare',
        '--user',
        '--map-root-user',
        '--mount',
        '--pid',
        '--fork',
        'true',
      ],
      { stdio: 'ignore', timeout: 10_000 },
    ).status === 0
  );
}
